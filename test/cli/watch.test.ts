/**
 * WE-12: `-w`'s loop with an injected pause and stop signal: no real waiting, each poll scripted.
 */
import { describe, expect, it } from 'vitest';
import { type Change, follow, pause } from '../../cli/watch.js';

interface Row {
  id: string;
  v: number;
}

describe('following a listing (WE-12)', () => {
  it('WE-12: reports new and changed items once, and how one that left the listing ended, until stopped', async () => {
    const stop = new AbortController();
    const polls: Row[][] = [
      [
        { id: 'a', v: 1 },
        { id: 'b', v: 1 },
      ],
      [
        { id: 'a', v: 2 },
        { id: 'b', v: 1 },
        { id: 'c', v: 1 },
      ],
      [{ id: 'a', v: 2 }],
      [{ id: 'a', v: 2 }],
    ];
    const now = new Map([
      ['b', { id: 'b', v: 3 }],
      ['c', undefined],
    ]);
    const changes: Change<Row>[] = [];
    const waits: number[] = [];
    await follow(
      {
        read: async () => polls.shift() ?? [],
        identity: (r) => r.id,
        revision: (r) => String(r.v),
        reread: async (r) => now.get(r.id),
      },
      [{ id: 'a', v: 1 }],
      (change) => changes.push(change),
      {
        signal: stop.signal,
        interval: 2000,
        pause: async (ms) => {
          waits.push(ms);
          if (polls.length === 0) stop.abort();
          return !stop.signal.aborted;
        },
      },
    );
    expect(changes).toEqual([
      { item: { id: 'b', v: 1 }, gone: false },
      { item: { id: 'a', v: 2 }, gone: false },
      { item: { id: 'c', v: 1 }, gone: false },
      { item: { id: 'b', v: 3 }, gone: false },
      { item: { id: 'c', v: 1 }, gone: true },
    ]);
    expect(waits).toEqual([2000, 2000, 2000, 2000, 2000]);
  });

  it('WE-12: a pause ends early, saying so, when the stop signal aborts', async () => {
    const stop = new AbortController();
    const waiting = pause(60_000, stop.signal);
    stop.abort();
    expect(await waiting).toBe(false);
    expect(await pause(1, stop.signal)).toBe(false);
    expect(await pause(1, new AbortController().signal)).toBe(true);
  });
});
