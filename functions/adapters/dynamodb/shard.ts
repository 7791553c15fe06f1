/**
 * Spreading an index's partition key over shards, so that no one key value takes more writes than
 * a DynamoDB partition serves (1,000 WCU/s): a burst of 500 requests/s writes each of a handful of
 * index entries per request, which one key value could not carry. The shard of an item comes from a
 * hash of its own key, so it never changes while the item lives and readers can find it again.
 */
import { createHash } from 'node:crypto';

/** How many shards each sharded key value is spread over; readers query all of them. */
export const SHARDS = 16;

/** The shard (0 … SHARDS-1) of an item, from a stable hash of its table key. */
export function shardOf(key: string): number {
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) % SHARDS;
}

/** A sharded key value: `running#07`. Two digits keep the values sortable and fixed-width. */
export const shardKey = (kind: string, shard: number) => `${kind}#${String(shard).padStart(2, '0')}`;

/** Every shard number, for readers that fan out over them. */
export const allShards = (): number[] => Array.from({ length: SHARDS }, (_, shard) => shard);
