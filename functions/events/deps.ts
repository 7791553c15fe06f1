/** The events function's dependencies, from its environment (throws naming a bad variable). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient, executionTable } from '../adapters/dynamodb/execution-table.js';
import { connectCluster } from '../adapters/kubernetes/cluster.js';
import { sqsDelayQueue } from '../adapters/sqs/delay-queue.js';
import { systemClock } from '../adapters/system-clock.js';
import type { EventQueue } from '../core/ports.js';
import type { SyncDeps } from '../core/reconcile.js';
import { eventsConfig } from '../platform/config.js';
import { type Observability, type Overrides, observabilityOf } from '../platform/wiring.js';

export type EventsHandlerDeps = Omit<SyncDeps, 'metrics' | 'log' | 'trigger'> &
  Observability & {
    /** Where a run seen before its execution is Running goes to be looked at again (the timer queue). */
    events: EventQueue;
  };
export type EventsOverrides = Omit<Overrides, 'sleep'> & Partial<Pick<SyncDeps, 'store' | 'cluster'>>;

export async function depsFromEnv(
  env: Record<string, string | undefined>,
  overrides: EventsOverrides = {},
): Promise<EventsHandlerDeps> {
  const config = eventsConfig(env);
  const dynamodb = overrides.clients?.dynamodb;
  const clock = overrides.clock ?? systemClock;
  const timers = sqsDelayQueue(overrides.clients?.sqs ?? new SQSClient({}), config.timerQueueUrl);
  return {
    store: overrides.store ?? executionTable(config.tableName, clock, dynamodb && documentClient(dynamodb)),
    cluster: overrides.cluster ?? (await connectCluster(config.cluster)),
    clock,
    settings: config.execution,
    timers,
    events: timers,
    ...observabilityOf('events', overrides),
  };
}
