/**
 * The operator's listings (`wfe list`, `wfe locks`, `wfe rejections`, the local progress view),
 * read through the listing indexes (table.ts), never a Scan. A listing's index key value is spread
 * over shards, and an execution's or a lock's is per cluster (WE-16), so a page queries every shard
 * of every cluster asked for and merges them by the index's sort key: `limit`
 * items come back in the listing's order, and the continuation token holds each shard's position.
 * The indexes hold keys only; the items are read with BatchGetItem (eventually consistent, like
 * the index itself: half the read units, and a person looking cannot tell), and an item the index
 * still files under an old key (a phase just left) is dropped here and found under its new one.
 */
import { createHash } from 'node:crypto';
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEventRequest } from '../../core/audit-event.js';
import type { Execution, Phase } from '../../core/execution.js';
import type { ExecutionId } from '../../core/execution-id.js';
import type { Lock } from '../../core/lock.js';
import type { Rejection } from '../../core/ports.js';
import {
  executionPk,
  type Item,
  type ListScope,
  listPartition,
  toExecution,
  toLock,
  toRejection,
} from './items.js';
import { allShards } from './shard.js';
import { type ListIndex, RecordKind, TABLE } from './table.js';

export interface PageRequest {
  /** At most this many items (at least 1); all of them when absent. */
  limit?: number;
  /** The token a previous page of the same listing returned. */
  continue?: string;
}

export interface ListPage<T> {
  items: T[];
  /** Present when more items may follow: pass it back as `continue`. */
  continue?: string;
}

export interface ExecutionQuery {
  /** The clusters listed (their names): each is its own set of index key values. */
  clusters: readonly string[];
  /** Only this namespace; every namespace when absent. */
  namespace?: string;
  phase?: Phase;
  target?: string;
}

export interface LockQuery {
  /** The clusters listed (their names): each is its own set of index key values. */
  clusters: readonly string[];
  /** Only locks held by executions of this namespace; every lock when absent. */
  namespace?: string;
  target?: string;
}

/** A continuation token this listing did not make (corrupt, cut, or from other filters). */
export class InvalidContinueToken extends Error {}

/** BatchGetItem's limit. */
const BATCH_GET_KEYS = 100;
/**
 * Pages asked of one shard: at least enough that a page rarely needs a second query of a shard (a
 * query of a few KB of keys costs the same half read unit as one key), at most what DynamoDB
 * returns in one response anyway (1 MB).
 */
const MIN_SHARD_PAGE = 25;
const MAX_SHARD_PAGE = 1000;
const UNPROCESSED_RETRIES = 8;

type Key = Record<string, string>;

/** One shard of a listing's key value, read in pages as the merge needs it. */
interface ShardCursor {
  partition: string;
  buffer: Key[];
  /** Where the next query starts (the last key fetched). */
  start?: Key;
  /** The last key handed to the merge: where a continuation resumes. */
  position?: Key;
  more: boolean;
  pageSize: number;
}

/** A shard's position in a token: after a key ([listOrder, pk, sk]), from its start, or done. */
type TokenPosition = [string, string, string] | 'start' | 'done';

export function tableListing(tableName: string, doc: DynamoDBDocumentClient) {
  /**
   * One page of the items of `kind` in `scope` of each of `clusters` (one undefined: a kind with no
   * cluster), through `index`, in the index's order; `accepts` re-checks each item read against
   * what was asked.
   */
  async function page<T>(
    kind: string,
    index: ListIndex,
    clusters: readonly (string | undefined)[],
    scope: Omit<Partial<ListScope>, 'cluster'>,
    request: PageRequest,
    read: (item: Item) => T,
    accepts: (item: Item) => boolean,
  ): Promise<ListPage<T>> {
    const { name: indexName, partitionKey } = TABLE.listIndexes[index];
    const partitions = [...new Set(clusters)].flatMap((cluster) =>
      allShards().map((shard) =>
        listPartition(kind, index, cluster === undefined ? scope : { ...scope, cluster }, shard),
      ),
    );
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([indexName, partitions]))
      .digest('base64url')
      .slice(0, 16);
    const limit = request.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw new RangeError(`a page holds at least one item, not ${limit}`);
    const firstPageSize =
      limit === undefined
        ? MAX_SHARD_PAGE
        : Math.min(MAX_SHARD_PAGE, Math.max(MIN_SHARD_PAGE, Math.ceil(limit / partitions.length) + 1));
    const positions =
      request.continue === undefined
        ? partitions.map((): TokenPosition => 'start')
        : decodeToken(request.continue, fingerprint, partitions.length);
    const cursors: ShardCursor[] = partitions.map((partition, i) => {
      const at = positions[i]!;
      const key = Array.isArray(at)
        ? { [partitionKey]: partition, [TABLE.listOrder]: at[0], pk: at[1], sk: at[2] }
        : undefined;
      return {
        partition,
        buffer: [],
        start: key,
        position: key,
        more: at !== 'done',
        pageSize: firstPageSize,
      };
    });

    async function fill(cursor: ShardCursor): Promise<void> {
      while (cursor.buffer.length === 0 && cursor.more) {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: indexName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': partitionKey },
            ExpressionAttributeValues: { ':pk': cursor.partition },
            ExclusiveStartKey: cursor.start,
            Limit: cursor.pageSize,
          }),
        );
        cursor.buffer = (out.Items ?? []) as Key[];
        cursor.start = out.LastEvaluatedKey as Key | undefined;
        cursor.more = cursor.start !== undefined;
        cursor.pageSize = Math.min(cursor.pageSize * 2, MAX_SHARD_PAGE);
      }
    }

    /** The next key in the listing's order across all shards, or undefined at the end. */
    async function next(): Promise<Key | undefined> {
      await Promise.all(cursors.map(fill));
      let first: ShardCursor | undefined;
      for (const cursor of cursors) {
        const head = cursor.buffer[0];
        if (!head) continue;
        const best = first?.buffer[0];
        if (!best || compareKeys(head, best) < 0) first = cursor;
      }
      if (!first) return undefined;
      const key = first.buffer.shift()!;
      first.position = key;
      return key;
    }

    const items: T[] = [];
    let ended = false;
    while (!ended && (limit === undefined || items.length < limit)) {
      const want = Math.min(BATCH_GET_KEYS, limit === undefined ? BATCH_GET_KEYS : limit - items.length);
      const keys: Key[] = [];
      while (keys.length < want) {
        const key = await next();
        if (!key) {
          ended = true;
          break;
        }
        keys.push(key);
      }
      const found = await batchGet(keys);
      for (const key of keys) {
        const item = found.get(key.pk!);
        if (item && accepts(item)) items.push(read(item));
      }
    }
    await Promise.all(cursors.map(fill));
    const done = (c: ShardCursor) => c.buffer.length === 0 && !c.more;
    if (cursors.every(done)) return { items };
    const token = cursors.map((c): TokenPosition => {
      if (done(c)) return 'done';
      const at = c.position;
      return at ? [at[TABLE.listOrder]!, at.pk!, at.sk!] : 'start';
    });
    return { items, continue: encodeToken(fingerprint, token) };
  }

  /** The items with these keys, by pk; an item deleted since it was listed is absent. */
  async function batchGet(keys: Key[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
      let pending: Record<string, unknown>[] = keys
        .slice(i, i + BATCH_GET_KEYS)
        .map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES)
          throw new Error(`DynamoDB left ${pending.length} keys unread after ${UNPROCESSED_RETRIES} retries`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }));
        for (const item of out.Responses?.[tableName] ?? []) found.set(item.pk as string, item);
        pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  const isKind = (item: Item, kind: string) => item[TABLE.recordKindAttribute] === kind;

  return {
    /** Executions (of one namespace, phase and/or target), oldest first. */
    executions(query: ExecutionQuery, request: PageRequest = {}): Promise<ListPage<Execution>> {
      const { clusters, namespace, phase, target } = query;
      const index: ListIndex =
        target !== undefined
          ? 'target'
          : namespace !== undefined
            ? phase !== undefined
              ? 'namespacePhase'
              : 'namespace'
            : phase !== undefined
              ? 'phase'
              : 'kind';
      return page(RecordKind.Execution, index, clusters, query, request, toExecution, (item) => {
        if (!isKind(item, RecordKind.Execution) || !clusters.includes(item.cluster as string)) return false;
        if (namespace !== undefined && item.namespace !== namespace) return false;
        if (phase !== undefined && item.phase !== phase) return false;
        return target === undefined || item.target === target;
      });
    },

    /** Locks (held in one namespace and/or on one target), by target, then cluster. */
    locks(query: LockQuery, request: PageRequest = {}): Promise<ListPage<Lock>> {
      const { clusters, namespace, target } = query;
      const index: ListIndex =
        target !== undefined ? 'target' : namespace !== undefined ? 'namespace' : 'kind';
      return page(RecordKind.Lock, index, clusters, query, request, toLock, (item) => {
        if (!isKind(item, RecordKind.Lock) || !clusters.includes(item.cluster as string)) return false;
        if (namespace !== undefined && item.holderNamespace !== namespace) return false;
        return target === undefined || item.target === target;
      });
    },

    /** Why requests were dead-lettered, oldest first. */
    rejections(request: PageRequest = {}): Promise<ListPage<Rejection>> {
      return page(RecordKind.Rejection, 'kind', [undefined], {}, request, toRejection, (item) =>
        isKind(item, RecordKind.Rejection),
      );
    },

    /** The audit records an execution has written to the outbox, oldest first. */
    async auditRecords(id: ExecutionId): Promise<AuditEventRequest[]> {
      const events: AuditEventRequest[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :audit)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
            ExpressionAttributeValues: { ':pk': executionPk(id), ':audit': 'AUDIT#' },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        );
        for (const item of out.Items ?? []) events.push((item as Item).event as AuditEventRequest);
        start = out.LastEvaluatedKey;
      } while (start);
      return events;
    },
  };
}

export type TableListing = ReturnType<typeof tableListing>;

/** The index's order. listOrder holds the item's identity, so it never ties within a kind; pk only keeps the order total. */
function compareKeys(a: Key, b: Key): number {
  const order = TABLE.listOrder;
  return compareText(a[order]!, b[order]!) || compareText(a.pk!, b.pk!);
}

/** DynamoDB orders strings by their UTF-8 bytes. */
const compareText = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

interface Token {
  v: 1;
  /** Which listing (index and key values) the positions belong to. */
  f: string;
  p: TokenPosition[];
}

function encodeToken(fingerprint: string, positions: TokenPosition[]): string {
  const token: Token = { v: 1, f: fingerprint, p: positions };
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

/** DynamoDB's limits on an index's sort key and a table's partition and sort keys. */
const MAX_ORDER_BYTES = 1024;
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;

function decodeToken(text: string, fingerprint: string, shards: number): TokenPosition[] {
  const corrupt = new InvalidContinueToken(
    'the --continue token is not one this listing gave (corrupt or cut short); list again without --continue',
  );
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw corrupt;
  let token: Partial<Token>;
  try {
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Token>;
  } catch {
    throw corrupt;
  }
  if (typeof token !== 'object' || token === null || token.v !== 1 || typeof token.f !== 'string')
    throw corrupt;
  if (token.f !== fingerprint)
    throw new InvalidContinueToken(
      'the --continue token belongs to another listing: use it with the same command and filters that printed it',
    );
  const positions = token.p;
  if (!Array.isArray(positions) || positions.length !== shards || !positions.every(isPosition)) throw corrupt;
  return positions;
}

function isPosition(value: unknown): value is TokenPosition {
  if (value === 'start' || value === 'done') return true;
  if (!Array.isArray(value) || value.length !== 3) return false;
  const [order, pk, sk] = value as unknown[];
  const within = (v: unknown, max: number) =>
    typeof v === 'string' && v.length > 0 && Buffer.byteLength(v) <= max;
  return within(order, MAX_ORDER_BYTES) && within(pk, MAX_PK_BYTES) && within(sk, MAX_SK_BYTES);
}
