/**
 * A target lock as `wfe locks` shows it: who holds it, in which state, and when it goes.
 */

import { executionKey } from '../functions/core/execution-id.js';
import type { Lock } from '../functions/core/lock.js';
import { age } from './print.js';

export const LOCK_HEADERS = ['CLUSTER', 'TARGET', 'HOLDER', 'STATE', 'RELEASE', 'AGE'];
export const LOCK_WIDE_HEADERS = [...LOCK_HEADERS, 'PIPELINERUN', 'TOKEN'];

/** When the lock goes, in words: a cooling lock at its cooldown's end; a held one once its run ends. */
export function releaseText(lock: Lock, now: Date): string {
  if (lock.state === 'cooling') {
    const at = lock.releaseAt ?? '';
    const left = Date.parse(at) - now.getTime();
    return left > 0 ? `${at} (in ${Math.ceil(left / 1000)}s)` : `${at} (due)`;
  }
  if (lock.state === 'acquired') return `lease ends ${lock.leaseUntil ?? '?'}`;
  return 'after the run ends + cooldown';
}

export function lockRow(lock: Lock, now: Date, wide = false): string[] {
  const row = [
    lock.cluster,
    lock.target,
    executionKey(lock.holder),
    lock.state,
    releaseText(lock, now),
    age(lock.acquiredAt, now),
  ];
  return wide ? [...row, lock.pipelineRunName, String(lock.token)] : row;
}

export function lockResource(lock: Lock) {
  return { ...lock, holder: executionKey(lock.holder) };
}
