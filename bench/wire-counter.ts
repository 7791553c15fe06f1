/**
 * Counts what actually goes over the wire to DynamoDB, independently of the store's own `stats`:
 * a middleware on the client sees every command, whoever sends it. (Capacity units are not taken:
 * DynamoDB Local's ConsumedCapacity does not follow DynamoDB's billing for transactions.)
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface WireCounts {
  readRequests: number;
  itemsRead: number;
  writeRequests: number;
  itemsWritten: number;
  /** Of the write requests, how many were TransactWriteItems (DynamoDB bills those at 2× per item). */
  transactions: number;
  scans: number;
  byCommand: Record<string, number>;
}

/** Field-by-field sum of counts taken over separate steps. */
export function sum(parts: WireCounts[]): WireCounts {
  const total = emptyCounts();
  for (const p of parts) {
    total.readRequests += p.readRequests;
    total.itemsRead += p.itemsRead;
    total.writeRequests += p.writeRequests;
    total.itemsWritten += p.itemsWritten;
    total.transactions += p.transactions;
    total.scans += p.scans;
    for (const [name, n] of Object.entries(p.byCommand))
      total.byCommand[name] = (total.byCommand[name] ?? 0) + n;
  }
  return total;
}

const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

type Output = {
  Item?: unknown;
  Items?: unknown[];
  Responses?: unknown;
  ScannedCount?: number;
  Count?: number;
};
type Input = {
  TransactItems?: unknown[];
  RequestItems?: Record<string, unknown[]>;
};

export const emptyCounts = (): WireCounts => ({
  readRequests: 0,
  itemsRead: 0,
  writeRequests: 0,
  itemsWritten: 0,
  transactions: 0,
  scans: 0,
  byCommand: {},
});

/** b − a, field by field. */
export function difference(b: WireCounts, a: WireCounts): WireCounts {
  const byCommand: Record<string, number> = {};
  for (const [name, n] of Object.entries(b.byCommand)) {
    const d = n - (a.byCommand[name] ?? 0);
    if (d !== 0) byCommand[name] = d;
  }
  return {
    readRequests: b.readRequests - a.readRequests,
    itemsRead: b.itemsRead - a.itemsRead,
    writeRequests: b.writeRequests - a.writeRequests,
    itemsWritten: b.itemsWritten - a.itemsWritten,
    transactions: b.transactions - a.transactions,
    scans: b.scans - a.scans,
    byCommand,
  };
}

function itemsWritten(command: string, input: Input): number {
  if (command === 'TransactWriteItemsCommand') return input.TransactItems?.length ?? 0;
  if (command === 'BatchWriteItemCommand')
    return Object.values(input.RequestItems ?? {}).reduce((n, items) => n + items.length, 0);
  return 1;
}

function itemsRead(command: string, output: Output): number {
  if (command === 'GetItemCommand') return output.Item ? 1 : 0;
  // What a Query or Scan is billed for is what it examined, not what passed a filter.
  if (command === 'QueryCommand' || command === 'ScanCommand')
    return output.ScannedCount ?? output.Count ?? 0;
  if (command === 'TransactGetItemsCommand')
    return Array.isArray(output.Responses) ? output.Responses.length : 0;
  return 0;
}

/** Installs the counter on the client (the document client shares its base client's middleware stack). */
export function countWire(doc: DynamoDBDocumentClient): { counts: WireCounts; snapshot(): WireCounts } {
  const counts = emptyCounts();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const input = args.input as Input;
      counts.byCommand[command] = (counts.byCommand[command] ?? 0) + 1;
      if (command === 'ScanCommand') counts.scans++;
      if (READS.has(command)) counts.readRequests++;
      if (WRITES.has(command)) {
        counts.writeRequests++;
        counts.itemsWritten += itemsWritten(command, input);
        if (command === 'TransactWriteItemsCommand') counts.transactions++;
      }
      // A write whose condition fails is counted too: DynamoDB charges for it all the same.
      const result = await next(args);
      if (READS.has(command)) counts.itemsRead += itemsRead(command, result.output as Output);
      return result;
    },
    { step: 'initialize', name: 'benchWireCounter', priority: 'high' },
  );
  return { counts, snapshot: () => structuredClone(counts) };
}
