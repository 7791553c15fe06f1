/** The events function's dependencies, from its environment (throws naming a bad variable). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient, executionTable } from '../adapters/dynamodb/execution-table.js';
import { clusterSet } from '../adapters/kubernetes/cluster-set.js';
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
export type EventsOverrides = Omit<Overrides, 'sleep'> & Partial<Pick<SyncDeps, 'store' | 'clusters'>>;

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
    clusters: overrides.clusters ?? clusterSet(config.clusters),
    clock,
    settings: config.execution,
    timers,
    events: timers,
    ...observabilityOf('events', overrides),
  };
}
