/**
 * SQS request queue → execute(). Wiring only; the rules live in core/execute.ts.
 * One partial-failure mechanism: Powertools' processPartialResponse. A record handler that returns
 * means done (the message is deleted); one that throws means "retry this message" (transient faults).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type ExecuteDeps, execute } from '../core/execute.js';
import { logPort } from '../platform/log.js';
import { metricsPort } from '../platform/powertools.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type ExecuteHandlerDeps } from './deps.js';

export function createHandler(deps: ExecuteHandlerDeps) {
  const { logger } = deps;
  const core: ExecuteDeps = { ...deps, metrics: metricsPort(deps.metrics), log: logPort(logger) };
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async ({ body, messageId }: SQSRecord): Promise<void> => {
    try {
      const outcome = await execute(body, core);
      logger.info('request processed', { messageId, ...outcome });
    } catch (err) {
      logger.warn('request will be retried', { messageId, error: err as Error });
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
