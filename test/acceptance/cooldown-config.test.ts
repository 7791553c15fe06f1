/**
 * Kubernaut's cooldown_config_test.go ("Custom Cooldown Configuration"): the configured cooldown
 * (COOLDOWN_PERIOD, here 5 s rather than the suite's 2 s) holds a target after any end, and only
 * that target. Also reconciler_test.go's "should calculate cooldown remaining time correctly", which
 * needs a waiter deferred and seen deferred: with Tekton's whole-second completion times and
 * execute's in-place wait for the last second, a 2 s cooldown leaves too short a window for that on
 * a loaded machine.
 */
import { describe, expect, it } from 'vitest';
import { acceptanceSystem, condition, request, unique, waiterDuringCooldown } from './harness.js';

const h = acceptanceSystem({ env: { COOLDOWN_PERIOD: '5s' } });

describe.concurrent('Custom Cooldown Configuration', () => {
  describe('BR-WE-009: Custom Cooldown Period Configuration', () => {
    it('BR-WE-009: should honor configured cooldown period for consecutive executions on same resource — Pending through the cooldown, Running when it ends (WE-3)', async () => {
      const first = unique('cooldown');
      const second = `cooldown-next-${first.name.slice(-8)}`;
      // Kubernaut set the first one Failed by hand; here its run fails: any end starts the cooldown.
      await h.submit(request({ ...first, simulate: 'fail' }));
      const failed = await h.waitForPhase(first.name, 'Failed', { intervalMs: 50 });
      const releaseAt = Date.parse(failed.status.completionTime!) + h.cooldownMs;
      expect(h.cooldownMs).toBe(5000);

      await h.submit(request({ name: second, target: first.target }));
      const phases: { phase: string; at: number }[] = [];
      const started = await h.waitForExecution(
        second,
        (we) => {
          phases.push({ phase: we.status.phase, at: Date.now() });
          return Boolean(we.status.startTime);
        },
        'to start after the cooldown',
        { timeoutMs: h.cooldownMs + 30_000, intervalMs: 100 },
      );
      // Kubernaut: Pending within 3 s, for the cooldown; then only "retrievable". Here: every look
      // before the release time saw it Pending, and it started at the cooldown's end, to the second.
      for (const seen of phases.filter((p) => p.at < releaseAt - 200)) expect(seen.phase).toBe('Pending');
      const startedAt = Date.parse(started.status.startTime!);
      expect(startedAt).toBeGreaterThanOrEqual(releaseAt);
      // At this cooldown's end, not after another one: "to the second" is the bench's waiter figure
      // (a quiet machine); a suite sharing two cores with its own engines was seen 3.1 s late.
      console.log(`BR-WE-009: the waiter started ${startedAt - releaseAt} ms after the cooldown's end`);
      expect(startedAt).toBeLessThan(releaseAt + h.cooldownMs);
      const cooled = condition(started, 'CooldownActive');
      if (cooled) expect(cooled).toMatchObject({ status: 'False', reason: 'CooldownElapsed' });
      // Waiting used no receive attempts that could land it in the DLQ.
      expect(await h.deadLettered()).toBe(0);
    });
  });

  describe('BR-WE-009: Cooldown Applies Only to Same Resource', () => {
    it('BR-WE-009: should NOT block workflows for different target resources (WE-3)', async () => {
      // Sent together: one for the cooling target, one for another.
      let other = unique('elsewhere');
      const { releaseAt, waiter, pending } = await waiterDuringCooldown(h, 'cooling', () => {
        other = unique('elsewhere');
        return h.submit(request(other));
      });
      // The waiter was held, then started at the cooldown's end.
      expect(pending.status.phase).toBe('Pending');
      expect(Date.parse(waiter.status.startTime!)).toBeGreaterThanOrEqual(releaseAt);
      // The other target was never held, though it arrived in the same moment.
      const running = await h.waitForExecution(other.name, (we) => Boolean(we.status.startTime), 'to start');
      expect(Date.parse(running.status.startTime!)).toBeLessThan(releaseAt);
      expect(condition(running, 'CooldownActive')).toBeUndefined();
    });
  });

  describe('BR-WE-010: Cooldown Period Between Sequential Executions', () => {
    it('BR-WE-010: should calculate cooldown remaining time correctly — a deferred waiter’s release time and remaining time (WE-3)', async () => {
      const { releaseAt, waiter, pending } = await waiterDuringCooldown(h, 'cool-calc');
      // The waiter, while deferred, says until when and how long is left, as of its condition's time.
      const cooling = condition(pending, 'CooldownActive')!;
      expect(pending.status.phase).toBe('Pending');
      expect(cooling.message).toContain(`until ${new Date(releaseAt).toISOString()}`);
      const remaining = /remaining: ([\d.]+)(ms|s)\)/.exec(cooling.message);
      expect(remaining, cooling.message).not.toBeNull();
      const remainingMs = Number(remaining![1]) * (remaining![2] === 's' ? 1000 : 1);
      expect(remainingMs).toBeLessThanOrEqual(h.cooldownMs);
      expect(Math.abs(releaseAt - Date.parse(cooling.lastTransitionTime) - remainingMs)).toBeLessThanOrEqual(
        1000,
      );
      expect(Date.parse(waiter.status.startTime!)).toBeGreaterThanOrEqual(releaseAt);
    });
  });
});
