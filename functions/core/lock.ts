/**
 * The per-target lock (SPEC WE-1, WE-3, WE-8): its states, what a request may do given the lock
 * it finds, and the lock's next states. Pure; the store writes them conditionally on `version`.
 */
import { type ExecutionId, executionKey } from './execution-id.js';

export const LockState = {
  Acquired: 'acquired',
  Running: 'running',
  Cooling: 'cooling',
} as const;
export type LockState = (typeof LockState)[keyof typeof LockState];

interface LockStateRule {
  /** What holding the target in this state means. */
  means: string;
  /** The states this one moves to and what moves it there; `free` is the lock deleted. */
  moves: Partial<Record<LockState | 'free', string>>;
  /** What a request from another execution gets while the lock is in this state. */
  newRequest: 'busy' | 'wait-then-take-over';
  /** What reconcile's sweep does once the lock is due (its `leaseUntil` or `releaseAt` passed). */
  whenDue: 'settle-stuck' | 'renew-lease' | 'release';
}

/**
 * The lock's states, like the execution's phase transitions: one table that says what each state
 * means, what moves it on, and what it means for a new request. A forced release (WE-12) frees
 * the lock from any state.
 */
export const lockStates: Record<LockState, LockStateRule> = {
  acquired: {
    means: "taken; the holder's run is not recorded as created yet (stuck once `leaseUntil` passes, WE-8)",
    moves: {
      running: 'the run is created, or found already there and adopted',
      cooling: 'the holder failed before its run, or ended without Running recorded',
      free: "the lease passed and the holder's run was never created, or a forced release",
    },
    newRequest: 'busy',
    whenDue: 'settle-stuck',
  },
  running: {
    means: "the holder's run exists; reconcile looks at the holder again from `leaseUntil`",
    moves: {
      running: 'the holder is still running when the lease passes: another lease',
      cooling: 'the holder ended (completed, failed or its run deleted)',
      free: 'a forced release',
    },
    newRequest: 'busy',
    whenDue: 'renew-lease',
  },
  cooling: {
    means: 'the holder ended; the target stays held until `releaseAt` (WE-3)',
    moves: {
      acquired: 'a new request takes it over once `releaseAt` has passed',
      free: 'reconcile releases it once `releaseAt` has passed (WE-7), or a forced release',
    },
    newRequest: 'wait-then-take-over',
    whenDue: 'release',
  },
};

/**
 * The lock on one target in one cluster (SPEC WE-1). It is held from acquisition until its
 * cooldown has passed (WE-3), through the states in `lockStates`.
 */
export interface Lock {
  key: string;
  cluster: string;
  target: string;
  holder: ExecutionId;
  /** Fencing token: increases on every acquisition of this key. */
  token: number;
  /** Increases on every write; every write and delete is conditional on it. */
  version: number;
  pipelineRunName: string;
  state: LockState;
  acquiredAt: string;
  leaseUntil?: string;
  releaseAt?: string;
}

export type LockWrite =
  /** Writes `lock` (with version = expected + 1) if the stored lock is absent or at the expected version. */
  | { op: 'put'; lock: Lock; expectVersion: number | 'absent' }
  | { op: 'delete'; key: string; expectVersion: number };

export type LockDecision =
  | { kind: 'acquire'; expectVersion: 'absent' }
  | { kind: 'take-over'; from: Lock }
  | { kind: 'held-by-me'; lock: Lock }
  | { kind: 'busy'; holder: ExecutionId }
  | { kind: 'cooling'; until: Date };

export const sameExecution = (a: ExecutionId, b: ExecutionId) => executionKey(a) === executionKey(b);

/**
 * A lock is free when absent or when its holder's cooldown has ended; it is ours on redelivery;
 * a holder that has not finished makes the target busy; a finished one makes it cool down.
 */
export function decide(lock: Lock | undefined, me: ExecutionId, now: Date): LockDecision {
  if (!lock) return { kind: 'acquire', expectVersion: 'absent' };
  if (sameExecution(lock.holder, me)) return { kind: 'held-by-me', lock };
  if (lockStates[lock.state].newRequest === 'busy') return { kind: 'busy', holder: lock.holder };
  const releaseAt = new Date(lock.releaseAt ?? 0);
  return releaseAt.getTime() <= now.getTime()
    ? { kind: 'take-over', from: lock }
    : { kind: 'cooling', until: releaseAt };
}

export function acquiredLock(input: {
  key: string;
  cluster: string;
  target: string;
  holder: ExecutionId;
  pipelineRunName: string;
  previous?: Lock;
  now: Date;
  leaseMs: number;
}): Lock {
  return {
    key: input.key,
    cluster: input.cluster,
    target: input.target,
    holder: input.holder,
    token: (input.previous?.token ?? 0) + 1,
    version: (input.previous?.version ?? 0) + 1,
    pipelineRunName: input.pipelineRunName,
    state: 'acquired',
    acquiredAt: input.now.toISOString(),
    leaseUntil: new Date(input.now.getTime() + input.leaseMs).toISOString(),
  };
}

/**
 * The run exists. `leaseUntil` now says when reconcile should look at the holder again: a holder
 * that ended without its transition reaching the lock (e.g. a status written by hand) still frees it.
 * A lease still ahead is kept: the lock's due time (the due index's sort key) moves only once it has
 * passed, so the write that records the run costs the index nothing.
 */
export function runningLock(lock: Lock, now: Date, leaseMs: number): Lock {
  const ahead = lock.leaseUntil !== undefined && Date.parse(lock.leaseUntil) > now.getTime();
  return {
    ...lock,
    version: lock.version + 1,
    state: 'running',
    leaseUntil: ahead ? lock.leaseUntil : new Date(now.getTime() + leaseMs).toISOString(),
  };
}

/** The holder ended at `completionTime`; the target stays locked until completionTime + cooldown. */
export function coolingLock(lock: Lock, completionTime: Date, cooldownMs: number): Lock {
  return {
    ...lock,
    version: lock.version + 1,
    state: 'cooling',
    leaseUntil: undefined,
    releaseAt: new Date(completionTime.getTime() + cooldownMs).toISOString(),
  };
}

/** When a lock is due for the sweep or its timer: a cooling lock at its cooldown's end, else at its lease's. */
export function lockDueAt(lock: Lock): string | undefined {
  return lock.state === 'cooling' ? lock.releaseAt : lock.leaseUntil;
}
