/**
 * EventBridge schedule → reconcile(). Wiring only; the rules live in core/reconcile.ts.
 * A thrown error fails the invocation (the function's error alarm sees it); the next tick retries.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { loggingTransitions } from '../core/execution-log.js';
import { emptyReport, type ReconcileReport, reconcile } from '../core/reconcile.js';
import { logPort } from '../platform/log.js';
import { metricsPort, publishMetrics } from '../platform/powertools.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type ReconcileHandlerDeps } from './deps.js';

export function createHandler(deps: ReconcileHandlerDeps) {
  const { logger } = deps;
  // Where the last tick ran out of budget; kept while the container lives (reserved concurrency 1).
  let resumeAt: string | undefined;
  return middy<ScheduledEvent | Record<string, never>, ReconcileReport>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(publishMetrics(deps.metrics))
    .handler(async (_event, context: Context) => {
      const report = emptyReport();
      const log = logPort(logger);
      try {
        await reconcile(
          {
            ...deps,
            // Each execution or lock the tick moves gets its own line there.
            store: loggingTransitions(deps.store, log),
            metrics: metricsPort(deps.metrics),
            log,
            budget: { ...deps.budget, timeLeftMs: () => context.getRemainingTimeInMillis() },
          },
          resumeAt,
          report,
        );
      } finally {
        // A tick that throws still moves on from what it did.
        resumeAt = report.resumeAt;
      }
      logger.info('reconcile finished', { ...report });
      return report;
    });
}

export const handler = await lambdaHandler(async () => createHandler(await depsFromEnv(process.env)));
