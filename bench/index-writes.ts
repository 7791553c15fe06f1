/**
 * Index writes per key value, counted from an item's successive versions the way DynamoDB writes a
 * global secondary index: an entry is put when its key appears or moves (and the old one deleted),
 * rewritten when a projected attribute changes under the same key, and left alone otherwise.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Item } from '../functions/adapters/dynamodb/items.js';
import { TABLE } from '../functions/adapters/dynamodb/table.js';

export interface IndexShape {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** Non-key attributes the index holds (KEYS_ONLY: none). */
  projected: readonly string[];
}

/** The listing indexes: keys only, all sorted by listOrder. */
export const LISTING_INDEXES: IndexShape[] = Object.values(TABLE.listIndexes).map((index) => ({
  name: index.name,
  partitionKey: index.partitionKey,
  sortKey: TABLE.listOrder,
  projected: [],
}));

/** The sweep's due index. */
export const DUE_INDEX: IndexShape = {
  name: TABLE.dueIndex.name,
  partitionKey: TABLE.dueIndex.partitionKey,
  sortKey: TABLE.dueIndex.sortKey,
  projected: TABLE.dueIndex.projected,
};

/**
 * Index writes per key value (`index/value`: each index has its own partitions), from each item's
 * successive versions (undefined: deleted).
 */
export function indexWrites(histories: (Item | undefined)[][], indexes: IndexShape[]): Map<string, number> {
  const writes = new Map<string, number>();
  const add = (index: IndexShape, value: unknown) => {
    if (typeof value !== 'string') return;
    const key = `${index.name}/${value}`;
    writes.set(key, (writes.get(key) ?? 0) + 1);
  };
  for (const history of histories) {
    let before: Item | undefined;
    for (const after of history) {
      for (const index of indexes) {
        const key = index.partitionKey;
        const moved = before?.[key] !== after?.[key] || before?.[index.sortKey] !== after?.[index.sortKey];
        if (moved) {
          add(index, before?.[key]);
          add(index, after?.[key]);
        } else if (index.projected.some((a) => !isDeepStrictEqual(before?.[a], after?.[a])))
          add(index, after?.[key]);
      }
      before = after;
    }
  }
  return writes;
}

/** The key value with the most writes, and the total over all of them. */
export function busiest(writes: Map<string, number>): { key: string; writes: number; total: number } {
  let top = { key: '', writes: 0 };
  let total = 0;
  for (const [key, n] of writes) {
    total += n;
    if (n > top.writes) top = { key, writes: n };
  }
  return { ...top, total };
}
