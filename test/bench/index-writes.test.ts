import { describe, expect, it } from 'vitest';
import { busiest, DUE_INDEX, indexWrites, LISTING_INDEXES } from '../../bench/index-writes.js';

const entry = (extra: Record<string, unknown>) => ({ pk: 'EXEC#a/b', sk: 'STATE', ...extra });

describe('index writes per key value', () => {
  it('counts a put when the key appears, delete + put when it moves, a delete when it goes', () => {
    const writes = indexWrites(
      [
        [
          entry({}),
          entry({ dueShard: 'lock#01', dueAt: 't1' }),
          entry({ dueShard: 'lock#01', dueAt: 't2' }),
          undefined,
        ],
      ],
      [DUE_INDEX],
    );
    expect(Object.fromEntries(writes)).toEqual({ 'dueByShard/lock#01': 4 });
  });

  it('rewrites an entry when a projected attribute changes under the same key, and not for another attribute', () => {
    const at = { dueShard: 'running#03', dueAt: 't' };
    const writes = indexWrites(
      [
        [
          entry({ ...at, runSummary: { status: 'Unknown', totalTasks: 3 }, manifest: 'm1' }),
          entry({ ...at, runSummary: { status: 'Unknown', totalTasks: 3 }, manifest: 'm2' }),
          entry({ ...at, runSummary: { status: 'Unknown', totalTasks: 4 }, manifest: 'm2' }),
        ],
      ],
      [DUE_INDEX],
    );
    expect(busiest(writes)).toEqual({ key: 'dueByShard/running#03', writes: 2, total: 2 });
  });

  it('keeps the same value in two indexes apart: each index has its own partitions', () => {
    const item = { listKind: 'lock#05', listOrder: 'o', dueShard: 'lock#05', dueAt: 't' };
    const writes = indexWrites([[entry(item)]], [DUE_INDEX, ...LISTING_INDEXES]);
    expect(Object.fromEntries(writes)).toEqual({ 'dueByShard/lock#05': 1, 'list-kind/lock#05': 1 });
  });
});
