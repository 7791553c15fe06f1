/**
 * SQS events and timer queues → the event path (core/sync-one.ts). Wiring only.
 * Both queues feed this one function: Tekton's events from the sink, and the system's own lock
 * timers and re-checks. A record handler that returns means done; one that throws means "retry
 * this message" (Powertools' partial batch response); a body that is neither kind is logged and
 * dropped, since no retry can make it readable.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MetricName } from '../core/metric-name.js';
import { handleEventMessage, parseEventMessage } from '../core/sync-one.js';
import { logPort } from '../platform/log.js';
import { metricsPort } from '../platform/powertools.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type EventsHandlerDeps } from './deps.js';

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

export const handler = await lambdaHandler(async () => createHandler(await depsFromEnv(process.env)));
