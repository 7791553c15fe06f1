/**
 * The EventBridge rate schedule, locally: invokes the handler with a ScheduledEvent every
 * `intervalMs`, the first one interval after start. Invocations never overlap: a tick that comes
 * while the previous one still runs is skipped, as the deployed function's reserved concurrency
 * of 1 (and no retries) makes EventBridge do.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import {
  type LambdaHandler,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type PollerErrorListener,
  pause,
} from './event-source.js';
import { lambdaContext } from './lambda-context.js';
import type { Poller } from './queue-poller.js';

export interface ScheduleOptions {
  intervalMs: number;
  functionName: string;
  timeoutMs: number;
  handler: LambdaHandler<ScheduledEvent, unknown>;
  onError?: PollerErrorListener;
  onInvoked?: (result: unknown) => void;
}

export function scheduledEvent(functionName: string, at: Date): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${functionName}-schedule`],
    detail: {},
  };
}

export function startSchedule(options: ScheduleOptions): Poller {
  const controller = new AbortController();
  const { signal } = controller;
  const started = Date.now();
  const interval = options.intervalMs;

  const loop = (async () => {
    let tick = 1;
    while (!signal.aborted) {
      await pause(started + tick * interval - Date.now(), signal);
      if (signal.aborted) break;
      try {
        const result = await options.handler(
          scheduledEvent(options.functionName, new Date()),
          lambdaContext(options.functionName, options.timeoutMs, () => signal.aborted),
        );
        options.onInvoked?.(result);
      } catch (err) {
        options.onError?.(err, { source: options.functionName, detail: 'scheduled invocation failed' });
      }
      // The next tick on the rate's grid that has not passed yet; ticks missed while running are dropped.
      tick = Math.max(tick + 1, Math.floor((Date.now() - started) / interval) + 1);
    }
  })();

  return {
    stop() {
      controller.abort();
      return loop;
    },
  };
}
