/**
 * Timers on locks (WE-13): when a lock becomes due at a known instant (a cooldown's end, a new
 * lock's lease), a delayed message brings it back then, instead of at the next minute's sweep.
 * A timer is sent after the lock is written and only speeds things up: a lost one leaves the lock
 * to the sweep, so failing to send it is logged, never thrown.
 */
import { type Lock, lockDueAt } from './lock.js';
import type { Clock, LockTimer, Log, TimerQueue } from './ports.js';

/** SQS holds a message back at most 15 minutes; a later instant is reached by sending again. */
export const MAX_TIMER_DELAY_SECONDS = 900;

export function timerFor(lock: Lock): LockTimer | undefined {
  const at = lockDueAt(lock);
  return at ? { kind: 'lock-timer', key: lock.key, token: lock.token, version: lock.version, at } : undefined;
}

/** Whole seconds until `at`, rounded up so the timer never fires early, capped at what SQS allows. */
export function timerDelaySeconds(at: string, now: Date): number {
  const seconds = Math.ceil((Date.parse(at) - now.getTime()) / 1000);
  return Math.min(MAX_TIMER_DELAY_SECONDS, Math.max(0, seconds));
}

export interface TimerDeps {
  /** Absent: no timers, the sweep alone. */
  timers?: TimerQueue;
  clock: Clock;
  log: Log;
}

export async function sendTimer(timer: LockTimer, deps: TimerDeps): Promise<void> {
  if (!deps.timers) return;
  try {
    await deps.timers.send(timer, timerDelaySeconds(timer.at, deps.clock.now()));
  } catch (err) {
    deps.log.warn('lock timer not sent; the sweep handles the lock when it is due', {
      lock: timer.key,
      at: timer.at,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

/** Sets the timer for a lock just written. */
export async function armLockTimer(lock: Lock, deps: TimerDeps): Promise<void> {
  const timer = timerFor(lock);
  if (timer) await sendTimer(timer, deps);
}
