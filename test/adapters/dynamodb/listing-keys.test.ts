/**
 * WE-14: the listing indexes' write load per key value in a burst of 500 requests in one second,
 * counted from the items the adapter writes, the way DynamoDB writes a keys-only index: an entry is
 * put when its key appears or changes (and the old one deleted), and left alone when it does not.
 * The worst burst is one namespace and one target (an alert storm), each request a lifecycle.
 */
import { describe, expect, it } from 'vitest';
import { busiest, indexWrites, LISTING_INDEXES } from '../../../bench/index-writes.js';
import { executionItem, type Item, lockItem } from '../../../functions/adapters/dynamodb/items.js';
import type { Execution, ExecutionStatus } from '../../../functions/core/execution.js';
import type { Lock } from '../../../functions/core/lock.js';

const REQUESTS_PER_SECOND = 500;
/** A DynamoDB partition serves 1,000 WCU/s; an index key value must stay far below. */
const MAX_WRITES_PER_KEY_VALUE = 125;
const TARGET = 'payment/Deployment/payment-api';

function lifecycle(i: number): { execution: (Item | undefined)[]; lock: (Item | undefined)[] } {
  const id = { cluster: `c${i}`, namespace: 'payment', name: `we-storm-${i}` };
  const createdAt = new Date(Date.UTC(2026, 0, 1) + i).toISOString();
  const at = (status: ExecutionStatus, version: number): Item =>
    executionItem(
      { id, specHash: 'h', target: TARGET, status, createdAt, version } satisfies Execution,
      version,
      new Date(createdAt),
    );
  const lock = (state: Lock['state'], version: number): Item =>
    lockItem({
      key: `c${i}#${TARGET}`,
      cluster: `c${i}`,
      target: TARGET,
      holder: id,
      token: 1,
      version,
      pipelineRunName: 'wfe-x',
      state,
      acquiredAt: createdAt,
    });
  return {
    execution: [
      at({ phase: 'Pending', conditions: {} }, 1),
      at({ phase: 'Running', conditions: {}, startTime: createdAt }, 2),
      at({ phase: 'Running', conditions: {}, startTime: createdAt, pipelineRunRef: { name: 'wfe-x' } }, 3),
      at({ phase: 'Completed', conditions: {}, startTime: createdAt }, 4),
      at({ phase: 'Completed', conditions: {}, startTime: createdAt, duration: '1s' }, 5),
    ],
    lock: [lock('acquired', 1), lock('running', 2), lock('cooling', 3), undefined],
  };
}

describe('listing index write load (WE-14)', () => {
  it(`WE-14: at ${REQUESTS_PER_SECOND} requests/s in one namespace on one target, no listing key value takes more than ${MAX_WRITES_PER_KEY_VALUE} writes/s`, () => {
    const lifecycles = Array.from({ length: REQUESTS_PER_SECOND }, (_, i) => lifecycle(i));
    const writes = indexWrites(
      lifecycles.flatMap((l) => [l.execution, l.lock]),
      LISTING_INDEXES,
    );
    const { key, writes: most, total } = busiest(writes);
    console.log(
      `listing indexes at ${REQUESTS_PER_SECOND} requests/s: ${total} index writes/s over ${writes.size} key values; busiest ${key} ${most}/s`,
    );
    expect(most).toBeLessThanOrEqual(MAX_WRITES_PER_KEY_VALUE);
    // Keys only, so an index entry is written when its key moves, not at each of the item's writes:
    // an execution's kind, namespace and target entries once each, its phase and namespace-phase
    // entries at each of three phases (put, then delete + put twice: 5 each); a lock's three
    // entries put once and deleted once.
    expect(total / REQUESTS_PER_SECOND).toBe(3 + 5 + 5 + 3 * 2);
  });
});
