import { describe, expect, it } from 'vitest';
import { allShards, SHARDS, shardKey, shardOf } from '../../../functions/adapters/dynamodb/shard.js';

describe('index key shards', () => {
  it('gives an item the same shard every time, within range', () => {
    for (const key of ['EXEC#ns/a', 'LOCK#c#Deployment/ns/x', '']) {
      expect(shardOf(key)).toBe(shardOf(key));
      expect(shardOf(key)).toBeGreaterThanOrEqual(0);
      expect(shardOf(key)).toBeLessThan(SHARDS);
    }
  });

  it('spreads 10,000 keys evenly: no shard holds more than 1.25× its share', () => {
    const counts = new Array<number>(SHARDS).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const shard = shardOf(`EXEC#ns/request-${i}`);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    const share = 10_000 / SHARDS;
    console.log(`shard sizes for 10,000 keys: min ${Math.min(...counts)}, max ${Math.max(...counts)}`);
    expect(Math.max(...counts)).toBeLessThan(share * 1.25);
    expect(Math.min(...counts)).toBeGreaterThan(share * 0.75);
  });

  it('names shard key values fixed-width and lists every shard once', () => {
    expect(shardKey('running', 7)).toBe('running#07');
    expect(shardKey('lock', 15)).toBe('lock#15');
    expect(allShards()).toEqual([...Array(SHARDS).keys()]);
  });
});
