import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { Poller } from '../../../local/aws/queue-poller.js';
import { startSchedule } from '../../../local/aws/schedule.js';
import { eventually } from './eventually.js';

describe('schedule', () => {
  let schedule: Poller | undefined;
  afterEach(async () => {
    await schedule?.stop();
    schedule = undefined;
  });

  it('invokes the handler with a ScheduledEvent every interval, the first after one interval', async () => {
    const started = Date.now();
    const calls: { at: number; event: ScheduledEvent; remaining: number }[] = [];
    schedule = startSchedule({
      intervalMs: 100,
      functionName: 'test-reconcile',
      timeoutMs: 60_000,
      handler: async (event, context) => {
        calls.push({ at: Date.now(), event, remaining: context.getRemainingTimeInMillis() });
      },
    });
    await eventually(() => expect(calls.length).toBeGreaterThanOrEqual(3));
    expect(calls[0]!.at - started).toBeGreaterThanOrEqual(90);
    expect(calls[0]!.event).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      detail: {},
    });
    expect(calls[0]!.event.resources[0]).toMatch(/^arn:aws:events:.*:rule\/test-reconcile/);
    expect(calls[0]!.remaining).toBeGreaterThan(59_000);
  });

  it('never overlaps itself: ticks that come while an invocation runs are skipped', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    schedule = startSchedule({
      intervalMs: 50,
      functionName: 'test-reconcile',
      timeoutMs: 60_000,
      handler: async () => {
        running++;
        most = Math.max(most, running);
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 180));
        running--;
      },
    });
    await eventually(() => expect(calls).toBeGreaterThanOrEqual(3));
    expect(most).toBe(1);
  });

  it('stops after the invocation in flight, and tells it no time is left', async () => {
    let remainingAfterStop: number | undefined;
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    schedule = startSchedule({
      intervalMs: 20,
      functionName: 'test-reconcile',
      timeoutMs: 60_000,
      handler: async (_event, context) => {
        entered();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        remainingAfterStop = context.getRemainingTimeInMillis();
      },
    });
    await inside;
    const stopped = schedule.stop();
    release();
    await stopped;
    schedule = undefined;
    expect(remainingAfterStop).toBe(0);
  });

  it('keeps going after a failed invocation and reports it', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    schedule = startSchedule({
      intervalMs: 30,
      functionName: 'test-reconcile',
      timeoutMs: 60_000,
      handler: async () => {
        calls++;
        if (calls === 1) throw new Error('DynamoDB unavailable');
      },
      onError: (err) => errors.push(err),
    });
    await eventually(() => expect(calls).toBeGreaterThanOrEqual(2));
    expect(errors).toHaveLength(1);
  });
});
