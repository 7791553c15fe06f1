/**
 * WE-13: a lock's timer is sent once the lock has a due time, and only speeds things up: without a
 * timer queue nothing is sent or logged, and a timer that cannot be sent is logged and not thrown.
 */
import { describe, expect, it } from 'vitest';
import type { Lock } from '../../functions/core/lock.js';
import { armLockTimer, sendTimer, timerFor } from '../../functions/core/lock-timer.js';
import type { TimerQueue } from '../../functions/core/ports.js';
import { fixedClock } from '../fakes/clock.js';
import { RecordingLog, RecordingTimers } from '../fakes/recorders.js';

const cooling: Lock = {
  key: 'default#ns/Deployment/api',
  cluster: 'default',
  target: 'ns/Deployment/api',
  holder: { cluster: 'default', namespace: 'default', name: 'we-1' },
  token: 3,
  version: 7,
  pipelineRunName: 'wfe-0123456789abcdef',
  state: 'cooling',
  acquiredAt: '2026-03-01T09:00:00.000Z',
  releaseAt: '2026-03-01T10:05:00.000Z',
};

const deps = (timers?: TimerQueue) => ({
  timers,
  clock: fixedClock('2026-03-01T10:00:00Z'),
  log: new RecordingLog(),
});

describe('lock timers (WE-13)', () => {
  it('arms a cooling lock’s timer for its cooldown’s end, delayed until then', async () => {
    const timers = new RecordingTimers();
    await armLockTimer(cooling, deps(timers));
    expect(timers.sent).toEqual([
      {
        timer: { kind: 'lock-timer', key: cooling.key, token: 3, version: 7, at: '2026-03-01T10:05:00.000Z' },
        delaySeconds: 300,
      },
    ]);
  });

  it('a lock with no due time gets no timer, and nothing is logged', async () => {
    const timers = new RecordingTimers();
    const d = deps(timers);
    const undated: Lock = { ...cooling, releaseAt: undefined };
    expect(timerFor(undated)).toBeUndefined();
    await armLockTimer(undated, d);
    expect(timers.sent).toEqual([]);
    expect(d.log.lines).toEqual([]);
  });

  it('without a timer queue the sweep alone frees locks: nothing is sent and nothing logged', async () => {
    const d = deps();
    await armLockTimer(cooling, d);
    expect(d.log.lines).toEqual([]);
  });

  it('a timer the queue refuses is logged with the lock and its instant, never thrown', async () => {
    const d = deps({
      send: async () => {
        throw new Error('queue throttled');
      },
    });
    const timer = timerFor(cooling)!;
    await expect(sendTimer(timer, d)).resolves.toBeUndefined();
    expect(d.log.lines).toEqual([
      {
        level: 'warn',
        message: 'lock timer not sent; the sweep handles the lock when it is due',
        fields: { lock: cooling.key, at: '2026-03-01T10:05:00.000Z', error: 'queue throttled' },
      },
    ]);
  });
});
