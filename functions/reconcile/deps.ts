/** The reconcile function's dependencies, from its environment (throws naming a bad variable). */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { documentClient, executionTable } from '../adapters/dynamodb/execution-table.js';
import { clusterSet } from '../adapters/kubernetes/cluster-set.js';
import { sqsDelayQueue } from '../adapters/sqs/delay-queue.js';
import { sqsSweepQueue } from '../adapters/sqs/sweep-queue.js';
import { systemClock } from '../adapters/system-clock.js';
import { loggingTransitions } from '../core/execution-log.js';
import type { SweepQueue } from '../core/ports.js';
import type { ReconcileDeps } from '../core/reconcile.js';
import { reconcileConfig } from '../platform/config.js';
import { logPort } from '../platform/log.js';
import { metricsPort } from '../platform/powertools.js';
import { type Observability, type Overrides, observabilityOf } from '../platform/wiring.js';

export type ReconcileHandlerDeps = Omit<ReconcileDeps, 'metrics' | 'log' | 'budget'> &
  Observability & {
    budget: Omit<ReconcileDeps['budget'], 'timeLeftMs'>;
    /** Where the schedule fans the shards out; absent, the schedule's invocation sweeps them all. */
    sweeps?: SweepQueue;
  };
export type ReconcileOverrides = Omit<Overrides, 'sleep'> &
  Partial<Pick<ReconcileDeps, 'store' | 'clusters'>>;

export async function depsFromEnv(
  env: Record<string, string | undefined>,
  overrides: ReconcileOverrides = {},
): Promise<ReconcileHandlerDeps> {
  const config = reconcileConfig(env);
  const dynamodb = overrides.clients?.dynamodb;
  const clock = overrides.clock ?? systemClock;
  let client: SQSClient | undefined;
  const sqs = () => (client ??= overrides.clients?.sqs ?? new SQSClient({}));
  return {
    store: overrides.store ?? executionTable(config.tableName, clock, dynamodb && documentClient(dynamodb)),
    clusters: overrides.clusters ?? clusterSet(config.clusters),
    clock,
    settings: config.execution,
    ...(config.timerQueueUrl ? { timers: sqsDelayQueue(sqs(), config.timerQueueUrl) } : {}),
    ...(config.sweepQueueUrl ? { sweeps: sqsSweepQueue(sqs(), config.sweepQueueUrl) } : {}),
    budget: config.budget,
    ...observabilityOf('reconcile', overrides),
  };
}

/** What one sweep runs with: the invocation's time left, and a store that logs each transition it writes. */
export function sweepDeps(
  deps: ReconcileHandlerDeps,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): ReconcileDeps {
  const log = logPort(deps.logger);
  return {
    ...deps,
    store: loggingTransitions(deps.store, log),
    metrics: metricsPort(deps.metrics),
    log,
    budget: { ...deps.budget, timeLeftMs: () => context.getRemainingTimeInMillis() },
  };
}
