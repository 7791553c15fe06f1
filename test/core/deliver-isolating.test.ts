import { describe, expect, it } from 'vitest';
import type { AuditEventRequest } from '../../functions/core/audit-event.js';
import {
  deliverIsolating,
  describeRefusal,
  type IsolatingDelivery,
  type Refusal,
  type Unavailable,
} from '../../functions/core/deliver-isolating.js';
import type { DeliveryResult } from '../../functions/core/ports.js';
import { manyEvents } from '../fixtures/audit-events.js';

const START = new Date('2026-03-01T10:00:00Z');
type Item = { event: AuditEventRequest };

/** DataStorage as a script: refuses any batch holding a bad event; down from attempt `downAfter + 1` on. */
function dataStorage(options: { bad?: number[]; downAfter?: number; parkFails?: boolean } = {}) {
  const items: Item[] = manyEvents(8, START).map((event) => ({ event }));
  const index = (e: AuditEventRequest) => items.findIndex((i) => i.event === e);
  const batches: number[][] = [];
  const delivered: number[] = [];
  const parked: number[] = [];
  const delivery: IsolatingDelivery<Item> = {
    async attempt(events): Promise<DeliveryResult | Unavailable> {
      const ids = events.map(index);
      batches.push(ids);
      if (options.downAfter !== undefined && batches.length > options.downAfter)
        return { kind: 'unavailable', error: new Error('503') };
      if (ids.some((i) => options.bad?.includes(i)))
        return { kind: 'rejected', status: 400, problem: { detail: 'event_data.phase is required' } };
      return { kind: 'delivered', eventIds: ids.map(String) };
    },
    delivered(slice) {
      delivered.push(...slice.map((i) => index(i.event)));
    },
    async refused(item) {
      if (options.parkFails) throw new Error('dead-letter queue unavailable');
      parked.push(index(item.event));
    },
  };
  return { items, delivery, batches, delivered, parked };
}

describe('deliverIsolating: one refused event does not hold back the rest', () => {
  it('delivers a good run as one batch', async () => {
    const ds = dataStorage();
    expect(await deliverIsolating(ds.items, ds.delivery)).toEqual({ done: 8 });
    expect(ds.batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7]]);
  });

  it.each([[[0]], [[5]], [[7]], [[2, 6]], [[3, 4]]])(
    'parks exactly the refused events %j and delivers the others in order',
    async (bad) => {
      const ds = dataStorage({ bad });
      expect(await deliverIsolating(ds.items, ds.delivery)).toEqual({ done: 8 });
      expect(ds.parked).toEqual(bad);
      expect(ds.delivered).toEqual([0, 1, 2, 3, 4, 5, 6, 7].filter((i) => !bad.includes(i)));
      // About 2·log2(n) requests per bad event, never one per event.
      expect(ds.batches.length).toBeLessThanOrEqual(1 + 2 * bad.length * Math.log2(8));
    },
  );

  it('never resends whole a half known to hold the refused event', async () => {
    const ds = dataStorage({ bad: [5] });
    await deliverIsolating(ds.items, ds.delivery);
    expect(ds.batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3], [4, 5], [4], [5], [6, 7]]);
  });

  it('stops at the first event it cannot finish, with nothing after it sent', async () => {
    // [0-7] [0-3] [0,1] refused; [0] delivered; [1] parked; [2,3] delivered; then DataStorage is down.
    const ds = dataStorage({ bad: [1], downAfter: 6 });
    const result = await deliverIsolating(ds.items, ds.delivery);
    expect(result.done).toBe(4);
    expect(result.stopped).toEqual({ error: new Error('503') });
    expect(ds.batches).toHaveLength(7);
    expect(ds.delivered).toEqual([0, 2, 3]);
  });

  it('stops when a refused event cannot be parked, leaving it undone', async () => {
    const ds = dataStorage({ bad: [2], parkFails: true });
    const result = await deliverIsolating(ds.items, ds.delivery);
    expect(result).toMatchObject({ done: 2, stopped: { error: expect.any(Error) } });
    expect(ds.delivered).toEqual([0, 1]);
  });

  it('sends nothing for nothing', async () => {
    const ds = dataStorage();
    expect(await deliverIsolating([], ds.delivery)).toEqual({ done: 0 });
    expect(ds.batches).toEqual([]);
  });
});

describe('describeRefusal', () => {
  it.each([
    [
      { kind: 'rejected', status: 400, problem: { detail: 'bad phase' } },
      'DataStorage refused the event (400): bad phase',
    ],
    [
      { kind: 'rejected', status: 422, problem: { title: 'x' } },
      'DataStorage refused the event (422): {"title":"x"}',
    ],
    [{ kind: 'rejected', status: 413, problem: undefined }, 'DataStorage refused the event (413): null'],
  ] as [Refusal, string][])('%j', (refusal, line) => {
    expect(describeRefusal(refusal)).toBe(line);
  });
});
