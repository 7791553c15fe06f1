/**
 * A fresh state table on the bench's DynamoDB Local, its document client with the wire counter on,
 * and the store (the production ExecutionStore) over it.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, executionTable } from '../functions/adapters/dynamodb/execution-table.js';
import type { Item } from '../functions/adapters/dynamodb/items.js';
import type { Clock } from '../functions/core/ports.js';
import { createStateTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/aws/dynamodb-local.js';
import { countWire, type WireCounts } from './wire-counter.js';

export interface BenchTable {
  tableName: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  store: ReturnType<typeof executionTable>;
  wire: { counts: WireCounts; snapshot(): WireCounts };
  /** Drops the table, so later measurements run against a DynamoDB Local as lean as at the start. */
  destroy(): Promise<void>;
}

export async function benchTable(endpoint: string, clock: Clock, prefix: string): Promise<BenchTable> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const tableName = `bench-${prefix}-${randomUUID().slice(0, 8)}`;
  await createStateTable(client, tableName);
  const doc = documentClient(client);
  const wire = countWire(doc);
  return {
    tableName,
    client,
    doc,
    store: executionTable(tableName, clock, doc),
    wire,
    destroy: async () => {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        client.destroy();
      }
    },
  };
}

/** Loads items 25 to a request, a few requests at a time (setup only; not what is measured). */
export async function loadItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: Item[],
): Promise<void> {
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
        while (pending.length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
          pending = (out.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
        }
      }),
    );
  }
}
