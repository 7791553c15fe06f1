/**
 * ExecutionStore on DynamoDB. Every state change is one request: a single conditional write when
 * it touches one item, else one TransactWriteItems. Conditions carry the expected versions, so
 * the database enforces the transitions table and each audit record is written once.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Execution } from '../../core/execution.js';
import type { ExecutionId } from '../../core/execution-id.js';
import type { Lock } from '../../core/lock.js';
import type { Census, Clock, ExecutionStore, Page, Rejection, RunningEntry } from '../../core/ports.js';
import type { StateChange, WriteResult } from '../../core/state-change.js';
import { itemBytes, MAX_ITEM_BYTES } from './item-size.js';
import {
  auditItem,
  dueShardKey,
  EXECUTION_SK,
  executionItem,
  executionPk,
  type Item,
  LOCK_SK,
  lockItem,
  lockKeyOf,
  lockPk,
  rejectionItem,
  sweepPointItem,
  sweepPointKey,
  toExecution,
  toLock,
  toRunningEntry,
} from './items.js';
import { allShards, SHARDS } from './shard.js';
import { DueKind, TABLE } from './table.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Conflict = 'execution' | 'lock';

const notStored = 'attribute_not_exists(pk)';
const atVersion = '#version = :expected';

function versionCondition(expectVersion: number | 'absent') {
  if (expectVersion === 'absent' || expectVersion === 0) return { ConditionExpression: notStored };
  return {
    ConditionExpression: atVersion,
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':expected': expectVersion },
  };
}

export function documentClient(client: DynamoDBClient = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** What the store has asked of DynamoDB, counted at the client (for `npm run bench` and cost tests). */
export interface StoreStats {
  readRequests: number;
  itemsRead: number;
  writeRequests: number;
  itemsWritten: number;
  /** Always 0: the store has no Scan; kept so a report can say so. */
  scans: number;
}

export function executionTable(
  tableName: string,
  clock: Clock,
  doc: DynamoDBDocumentClient = documentClient(),
) {
  const stats: StoreStats = { readRequests: 0, itemsRead: 0, writeRequests: 0, itemsWritten: 0, scans: 0 };
  const encodeCursor = (key: QueryCommandOutput['LastEvaluatedKey']) =>
    key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
  const decodeCursor = (cursor?: string) =>
    cursor ? (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>) : undefined;

  function operations(change: StateChange): { op: TransactItem; conflict?: Conflict }[] {
    const now = clock.now();
    const ops: { op: TransactItem; conflict?: Conflict }[] = [];
    for (const { next, expectVersion } of change.executions ?? []) {
      ops.push({
        op: {
          Put: {
            TableName: tableName,
            Item: executionItem(next, expectVersion + 1, now),
            ...versionCondition(expectVersion),
          },
        },
        conflict: 'execution',
      });
    }
    const lock = change.lock;
    if (lock?.op === 'put') {
      ops.push({
        op: {
          Put: { TableName: tableName, Item: lockItem(lock.lock), ...versionCondition(lock.expectVersion) },
        },
        conflict: 'lock',
      });
    } else if (lock?.op === 'delete') {
      ops.push({
        op: {
          Delete: {
            TableName: tableName,
            Key: { pk: lockPk(lock.key), sk: LOCK_SK },
            ...versionCondition(lock.expectVersion),
          },
        },
        conflict: 'lock',
      });
    }
    for (const event of change.audit ?? []) {
      ops.push({
        op: { Put: { TableName: tableName, Item: auditItem(event), ConditionExpression: notStored } },
      });
    }
    return ops;
  }

  async function read(command: GetCommand): Promise<Item | undefined> {
    stats.readRequests++;
    const out = await doc.send(command);
    if (out.Item) stats.itemsRead++;
    return out.Item;
  }

  async function query(command: QueryCommand): Promise<QueryCommandOutput> {
    stats.readRequests++;
    const out = await doc.send(command);
    stats.itemsRead += out.ScannedCount ?? out.Items?.length ?? 0;
    return out;
  }

  /** The entries under one due index key value, counted a page (1 MB read) at a time. */
  async function countShard(value: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await query(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.dueIndex.name,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': TABLE.dueIndex.partitionKey },
          ExpressionAttributeValues: { ':shard': value },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async function writeOne(op: TransactItem): Promise<void> {
    if (op.Put) await doc.send(new PutCommand(op.Put as ConstructorParameters<typeof PutCommand>[0]));
    else if (op.Delete)
      await doc.send(new DeleteCommand(op.Delete as ConstructorParameters<typeof DeleteCommand>[0]));
  }

  const store = {
    async read(id: ExecutionId): Promise<Execution | undefined> {
      const item = await read(
        new GetCommand({
          TableName: tableName,
          Key: { pk: executionPk(id), sk: EXECUTION_SK },
          ConsistentRead: true,
        }),
      );
      return item ? toExecution(item) : undefined;
    },

    async readLock(key: string): Promise<Lock | undefined> {
      const item = await read(
        new GetCommand({ TableName: tableName, Key: { pk: lockPk(key), sk: LOCK_SK }, ConsistentRead: true }),
      );
      return item ? toLock(item) : undefined;
    },

    async write(change: StateChange): Promise<WriteResult> {
      const ops = operations(change);
      if (ops.length === 0) return { ok: true };
      for (const { op } of ops) {
        const item = op.Put?.Item;
        if (item && itemBytes(item) > MAX_ITEM_BYTES)
          throw new Error(
            `item ${String(item.pk)} ${String(item.sk)} is ${itemBytes(item)} bytes, over DynamoDB's ${MAX_ITEM_BYTES}: every stored text should have been bounded`,
          );
      }
      stats.writeRequests++;
      stats.itemsWritten += ops.length;
      try {
        if (ops.length === 1) await writeOne(ops[0]!.op);
        else await doc.send(new TransactWriteCommand({ TransactItems: ops.map((o) => o.op) }));
        return { ok: true };
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException)
          return { ok: false, conflict: ops[0]!.conflict ?? 'execution' };
        if (err instanceof TransactionCanceledException) {
          const reasons = err.CancellationReasons ?? [];
          const failed = reasons.findIndex(
            (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
          );
          if (failed >= 0) return { ok: false, conflict: ops[failed]?.conflict ?? 'execution' };
        }
        throw err;
      }
    },

    dueShards: SHARDS,

    async running(
      cluster: string,
      shard: number,
      limit: number,
      cursor?: string,
    ): Promise<Page<RunningEntry>> {
      const out = await query(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.dueIndex.name,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: { '#shard': TABLE.dueIndex.partitionKey },
          ExpressionAttributeValues: { ':shard': dueShardKey(DueKind.Running, cluster, shard) },
          Limit: limit,
          ExclusiveStartKey: decodeCursor(cursor),
        }),
      );
      return {
        items: (out.Items ?? []).map((i) => toRunningEntry(i as Item, cluster)),
        cursor: encodeCursor(out.LastEvaluatedKey),
      };
    },

    async dueLocks(
      cluster: string,
      shard: number,
      now: Date,
      limit: number,
      cursor?: string,
    ): Promise<Page<string>> {
      const out = await query(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.dueIndex.name,
          KeyConditionExpression: '#shard = :shard AND #at <= :now',
          ExpressionAttributeNames: { '#shard': TABLE.dueIndex.partitionKey, '#at': TABLE.dueIndex.sortKey },
          ExpressionAttributeValues: {
            ':shard': dueShardKey(DueKind.Lock, cluster, shard),
            ':now': now.toISOString(),
          },
          Limit: limit,
          ExclusiveStartKey: decodeCursor(cursor),
        }),
      );
      return {
        items: (out.Items ?? []).map((i) => lockKeyOf(i as Item)),
        cursor: encodeCursor(out.LastEvaluatedKey),
      };
    },

    async census(cluster: string): Promise<Census> {
      // Every held lock is due at some time (its lease or cooldown), so each has an index entry.
      const [running, locksHeld] = await Promise.all(
        [DueKind.Running, DueKind.Lock].map(async (kind) => {
          const counts = await Promise.all(
            allShards().map((shard) => countShard(dueShardKey(kind, cluster, shard))),
          );
          return counts.reduce((sum, count) => sum + count, 0);
        }),
      );
      return { running: running ?? 0, locksHeld: locksHeld ?? 0 };
    },

    async sweepPoint(cluster: string, shard: number): Promise<string | undefined> {
      const item = await read(
        new GetCommand({ TableName: tableName, Key: sweepPointKey(cluster, shard), ConsistentRead: true }),
      );
      return typeof item?.cursor === 'string' ? item.cursor : undefined;
    },

    async saveSweepPoint(cluster: string, shard: number, cursor: string | undefined): Promise<void> {
      stats.writeRequests++;
      stats.itemsWritten++;
      if (cursor === undefined)
        await doc.send(new DeleteCommand({ TableName: tableName, Key: sweepPointKey(cluster, shard) }));
      else
        await doc.send(
          new PutCommand({ TableName: tableName, Item: sweepPointItem(cluster, shard, cursor) }),
        );
    },

    async recordRejection(rejection: Rejection): Promise<void> {
      stats.writeRequests++;
      stats.itemsWritten++;
      await doc.send(new PutCommand({ TableName: tableName, Item: rejectionItem(rejection) }));
    },
  } satisfies ExecutionStore;
  return { ...store, stats };
}
