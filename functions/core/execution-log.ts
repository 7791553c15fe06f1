/**
 * What the logs say about executions: the keys every line about one carries (its id, its target and
 * the correlation id its audit trail is filed under in DataStorage), and one line per state
 * transition, logged where state changes are written (the store), once.
 */
import { correlationId } from './correlation.js';
import type { Execution, Phase } from './execution.js';
import { type ExecutionId, executionKey } from './execution-id.js';
import type { Lock, LockState } from './lock.js';
import type { ExecutionStore, Log } from './ports.js';

export interface ExecutionLogKeys extends Record<string, string> {
  executionId: string;
  cluster: string;
  target: string;
  correlationId: string;
}

export function executionLogKeys(execution: Pick<Execution, 'id' | 'target' | 'manifest'>): ExecutionLogKeys {
  const { id, target, manifest } = execution;
  return {
    executionId: executionKey(id),
    cluster: id.cluster,
    target,
    correlationId: correlationId({
      metadata: { name: id.name, labels: manifest?.metadata.labels },
      spec: manifest?.spec,
    }),
  };
}

/**
 * The store, logging each transition it writes: an execution's phase (`from` absent for a new one)
 * and a lock's state (`to` "released" when it is deleted). `from` is the phase or state this store
 * last read or wrote for that item; give each invocation its own, so what it remembers stays small.
 * Rewrites that keep the phase (a run's progress, a condition) are not transitions and log nothing.
 */
export function loggingTransitions(store: ExecutionStore, log: Log): ExecutionStore {
  const phases = new Map<string, { phase: Phase; keys: ExecutionLogKeys }>();
  const locks = new Map<string, { state: LockState; target: string; holder: ExecutionId }>();
  const seen = (execution: Execution | undefined) => {
    if (execution)
      phases.set(executionKey(execution.id), {
        phase: execution.status.phase,
        keys: executionLogKeys(execution),
      });
    return execution;
  };
  const seenLock = (lock: Lock | undefined) => {
    if (lock) locks.set(lock.key, { state: lock.state, target: lock.target, holder: lock.holder });
    return lock;
  };
  const holderKeys = (holder: ExecutionId, target: string) =>
    phases.get(executionKey(holder))?.keys ?? {
      executionId: executionKey(holder),
      cluster: holder.cluster,
      target,
    };

  // Every method delegated by name: a spread would drop a class's prototype methods.
  return {
    dueShards: store.dueShards,
    running: (cluster, shard, limit, cursor) => store.running(cluster, shard, limit, cursor),
    dueLocks: (cluster, shard, now, limit, cursor) => store.dueLocks(cluster, shard, now, limit, cursor),
    sweepPoint: (cluster, shard) => store.sweepPoint(cluster, shard),
    census: (cluster) => store.census(cluster),
    saveSweepPoint: (cluster, shard, cursor) => store.saveSweepPoint(cluster, shard, cursor),
    read: async (id) => seen(await store.read(id)),
    readLock: async (key) => seenLock(await store.readLock(key)),
    recordRejection: (rejection) => store.recordRejection(rejection),
    write: async (change) => {
      const written = await store.write(change);
      if (!written.ok) return written;
      for (const { next, expectVersion } of change.executions ?? []) {
        const before = expectVersion === 0 ? undefined : phases.get(executionKey(next.id));
        const to = next.status.phase;
        seen(next);
        if (before?.phase === to) continue;
        log.info('execution phase changed', {
          ...executionLogKeys(next),
          ...(before ? { from: before.phase } : {}),
          to,
          ...(next.status.failureDetails ? { reason: next.status.failureDetails.reason } : {}),
        });
      }
      const lockWrite = change.lock;
      if (lockWrite?.op === 'put') {
        const { lock } = lockWrite;
        const before = lockWrite.expectVersion === 'absent' ? undefined : locks.get(lock.key);
        seenLock(lock);
        if (before?.state !== lock.state)
          log.info('lock state changed', {
            ...holderKeys(lock.holder, lock.target),
            lock: lock.key,
            ...(before ? { from: before.state } : {}),
            to: lock.state,
            ...(lock.releaseAt ? { releaseAt: lock.releaseAt } : {}),
          });
      } else if (lockWrite?.op === 'delete') {
        const before = locks.get(lockWrite.key);
        locks.delete(lockWrite.key);
        log.info('lock state changed', {
          ...(before ? holderKeys(before.holder, before.target) : {}),
          lock: lockWrite.key,
          ...(before ? { from: before.state } : {}),
          to: 'released',
        });
      }
      return written;
    },
  };
}
