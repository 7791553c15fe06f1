/**
 * DynamoDB stream of the state table → forwardAudit(). Wiring only; the rules live in
 * core/forward-audit.ts. The one partial-failure mechanism is the returned batchItemFailures:
 * the first record neither delivered nor parked, from which the stream retries in order.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toAuditStreamRecord } from '../adapters/dynamodb/audit-stream.js';
import { forwardAudit } from '../core/forward-audit.js';
import { metricsPort, publishMetrics } from '../platform/powertools.js';
import { lambdaHandler } from '../platform/wiring.js';
import { type AuditForwarderDeps, depsFromEnv } from './deps.js';

export function createHandler(deps: AuditForwarderDeps) {
  const { logger } = deps;
  const metrics = metricsPort(deps.metrics);

  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(publishMetrics(deps.metrics))
    .handler(async (event, context: Context) => {
      const report = await forwardAudit(event.Records.map(toAuditStreamRecord), {
        ...deps,
        metrics,
        remainingMs: () => context.getRemainingTimeInMillis(),
      });
      for (const parked of report.deadLettered) logger.warn('audit record dead-lettered', parked);
      for (const skipped of report.skipped) logger.debug('stream record skipped', skipped);
      if (report.resumeAt)
        logger.warn('audit delivery stopped; the stream retries from here', report.resumeAt);
      logger.info('audit batch forwarded', {
        records: event.Records.length,
        delivered: report.delivered,
        deadLettered: report.deadLettered.length,
        skipped: report.skipped.length,
        retries: report.retries,
        possiblyDuplicated: report.possiblyDuplicated,
      });
      return {
        batchItemFailures: report.resumeAt ? [{ itemIdentifier: report.resumeAt.sequenceNumber }] : [],
      };
    });
}

export const handler = await lambdaHandler(async () => createHandler(depsFromEnv(process.env)));
