/**
 * The real audit-forwarder handler wired for tests: the real DataStorage client against a local
 * DataStorage, a fake clock that the injected sleep advances (backoff never waits for real), and
 * a Lambda context whose remaining time follows that clock.
 */
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { type MockInstance, vi } from 'vitest';
import { dataStorageAuditClient } from '../../functions/adapters/datastorage/audit-client.js';
import { createHandler } from '../../functions/audit-forwarder/handler.js';
import type { AuditDeadLetters } from '../../functions/core/ports.js';
import { powertools } from '../../functions/platform/powertools.js';
import type { DataStorage } from '../../local/datastorage/server.js';
import { type FakeClock, fixedClock } from '../fakes/clock.js';
import { MemoryDeadLetters } from '../fakes/memory-dead-letters.js';

export interface HarnessOptions {
  dataStorage: DataStorage;
  deadLetters?: AuditDeadLetters;
  token?: () => Promise<string>;
  batchSize?: number;
  requestTimeoutMs?: number;
  /** Each invocation's time, on the fake clock. */
  budgetMs?: number;
  clock?: FakeClock;
}

function context(remainingMs: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'wfe-audit-forwarder',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:wfe-audit-forwarder',
    memoryLimitInMB: '256',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: '/aws/lambda/wfe-audit-forwarder',
    logStreamName: 'local',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function forwarderHarness(options: HarnessOptions) {
  const clock = options.clock ?? fixedClock(new Date());
  const deadLetters = options.deadLetters ?? new MemoryDeadLetters();
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const budgetMs = options.budgetMs ?? 60_000;
  const sleeps: number[] = [];
  const { logger, metrics } = powertools('audit-forwarder');
  const handler = createHandler({
    sink: dataStorageAuditClient({
      url: options.dataStorage.url,
      timeoutMs: requestTimeoutMs,
      token: options.token,
    }),
    deadLetters,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
    settings: { batchSize: options.batchSize ?? 1000, requestTimeoutMs },
    logger,
    metrics,
  });
  const invoke = (event: DynamoDBStreamEvent) => {
    const deadline = clock.now().getTime() + budgetMs;
    return handler(
      event,
      context(() => deadline - clock.now().getTime()),
    );
  };
  return { clock, deadLetters, sleeps, invoke };
}

/** Captures what the handler logs (Powertools writes through the console in dev mode). */
export function captureConsole() {
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const spies: MockInstance[] = methods.map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    }),
  );
  return {
    lines,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
