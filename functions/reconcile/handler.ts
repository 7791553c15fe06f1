/**
 * reconcile: the sweep (core/reconcile.ts). Wiring only. Two triggers on one function, since both
 * need the same table, cluster access and timers:
 *  - the EventBridge schedule: with a sweep queue, one message per shard (the fan-out); without
 *    one, every shard swept here, one after another;
 *  - the sweep queue: one shard per message, as many at once as the queue's mapping allows.
 * A cluster that is unavailable fails the invocation (or the message, retried); an item that throws
 * is counted and skipped, never failing its shard.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  censusTaker,
  emptyReport,
  fanOut,
  parseSweepMessage,
  type ReconcileReport,
  reconcile,
  sweep,
} from '../core/reconcile.js';
import { logPort } from '../platform/log.js';
import { metricsPort, publishMetrics } from '../platform/powertools.js';
import { sqsBatchHandler } from '../platform/sqs-batch.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type ReconcileHandlerDeps, sweepDeps } from './deps.js';

type Scheduled = ScheduledEvent | Record<string, never>;
/** A scheduled invocation's report: the sweep it did, or how many shards it fanned out. */
export type ScheduledReport = ReconcileReport & { fannedOut?: number };
export interface ReconcileHandler {
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  (event: Scheduled, context: Context): Promise<ScheduledReport>;
}

export function createHandler(deps: ReconcileHandlerDeps) {
  const { logger } = deps;
  const core = (context: Context) => sweepDeps(deps, context);
  const publishCensus = censusTaker({ ...deps, metrics: metricsPort(deps.metrics), log: logPort(logger) });
  // The invocation a queue message came in, for its time left (the batch wiring passes the record only).
  let context: Context;
  const queue = sqsBatchHandler(deps, 'sweep', () => async ({ body, messageId }) => {
    const unit = parseSweepMessage(body, deps.store, deps.settings);
    if (unit === undefined) return logger.warn('unreadable sweep message dropped', { messageId });
    logger.info('shard swept', { ...unit, ...(await sweep([unit], core(context))) });
  });
  const schedule = middy<Scheduled, ScheduledReport>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(publishMetrics(deps.metrics))
    .handler(async (_event, ctx: Context) => {
      await publishCensus();
      if (deps.sweeps) {
        const fannedOut = await fanOut(deps.store, deps.sweeps, deps.settings);
        logger.info('sweep fanned out', { shards: fannedOut });
        return { ...emptyReport(), fannedOut };
      }
      const report = await reconcile(core(ctx));
      logger.info('reconcile finished', { ...report });
      return report;
    });
  return (async (event: Scheduled | SQSEvent, ctx: Context) => {
    if (!('Records' in event)) return schedule(event, ctx);
    context = ctx;
    return queue(event as SQSEvent, ctx);
  }) as ReconcileHandler;
}

export const handler = await lambdaHandler(async () => createHandler(await depsFromEnv(process.env)));
