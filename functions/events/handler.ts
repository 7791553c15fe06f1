/**
 * SQS events and timer queues → the event path (core/sync-one.ts). Wiring only.
 * Both queues feed this one function: Tekton's events from the sink, and the system's own lock
 * timers and re-checks. A record handler that returns means done; one that throws means "retry
 * this message" (Powertools' partial batch response); a body that is neither kind is logged and
 * dropped, since no retry can make it readable.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { executionTable } from '../adapters/dynamodb/execution-table.js';
import { connectCluster } from '../adapters/kubernetes/cluster.js';
import { sqsDelayQueue } from '../adapters/sqs/delay-queue.js';
import { systemClock } from '../adapters/system-clock.js';
import { MetricName } from '../core/metric-name.js';
import type { EventQueue } from '../core/ports.js';
import type { SyncDeps } from '../core/reconcile.js';
import { handleEventMessage, parseEventMessage } from '../core/sync-one.js';
import { eventsConfig } from '../platform/config.js';
import { logPort } from '../platform/log.js';
import { metricsPort, powertools } from '../platform/powertools.js';

export interface EventsHandlerDeps extends Omit<SyncDeps, 'metrics' | 'log' | 'trigger'> {
  /** Where a run seen before its execution is Running goes to be looked at again (the timer queue). */
  events: EventQueue;
  logger: Logger;
  metrics: PowertoolsMetrics;
}

export function createHandler(deps: EventsHandlerDeps) {
  const { logger } = deps;
  const metrics = metricsPort(deps.metrics);
  const core = { ...deps, metrics, log: logPort(logger) };
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async ({ body, messageId }: SQSRecord): Promise<void> => {
    const message = parseEventMessage(body);
    if (!message) {
      metrics.add(MetricName.EventsIgnored, 'Count', 1, { reason: 'bad-shape' });
      logger.warn('unreadable events message dropped', { messageId });
      return;
    }
    try {
      const outcome = await handleEventMessage(message, core);
      logger.info('event processed', { messageId, message, outcome });
    } catch (err) {
      logger.warn('event will be retried', { messageId, error: err as Error });
      throw err;
    }
  };

  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(deps.metrics))
    .handler((event, context: Context) =>
      processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false }),
    );
}

/** The deployed wiring: configuration from the environment (throws naming a bad variable). */
export async function depsFromEnv(env: Record<string, string | undefined>): Promise<EventsHandlerDeps> {
  const config = eventsConfig(env);
  const { logger, metrics } = powertools('events');
  const timers = sqsDelayQueue(new SQSClient({}), config.timerQueueUrl);
  return {
    store: executionTable(config.tableName, systemClock),
    cluster: await connectCluster(config.cluster),
    clock: systemClock,
    settings: config.execution,
    timers,
    events: timers,
    logger,
    metrics,
  };
}

// Built at Lambda init so bad configuration fails the cold start; elsewhere it builds on first use.
let built = process.env.AWS_LAMBDA_FUNCTION_NAME ? createHandler(await depsFromEnv(process.env)) : undefined;

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  built ??= createHandler(await depsFromEnv(process.env));
  return built(event, context);
};
