/**
 * EventBridge schedule → reconcile(). Wiring only; the rules live in core/reconcile.ts.
 * A thrown error fails the invocation (the function's error alarm sees it); the next tick retries.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { executionTable } from '../adapters/dynamodb/execution-table.js';
import { connectCluster } from '../adapters/kubernetes/cluster.js';
import { systemClock } from '../adapters/system-clock.js';
import { type ReconcileDeps, type ReconcileReport, reconcile } from '../core/reconcile.js';
import { reconcileConfig } from '../platform/config.js';
import { logPort } from '../platform/log.js';
import { metricsPort, powertools } from '../platform/powertools.js';

export interface ReconcileHandlerDeps extends Omit<ReconcileDeps, 'metrics' | 'log' | 'budget'> {
  logger: Logger;
  metrics: PowertoolsMetrics;
  budget: Omit<ReconcileDeps['budget'], 'timeLeftMs'>;
}

export function createHandler(deps: ReconcileHandlerDeps) {
  const { logger } = deps;
  // Where the last tick ran out of budget; kept while the container lives (reserved concurrency 1).
  let resumeAt: string | undefined;
  return middy<ScheduledEvent | Record<string, never>, ReconcileReport>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(deps.metrics))
    .handler(async (_event, context: Context) => {
      const report = await reconcile(
        {
          ...deps,
          metrics: metricsPort(deps.metrics),
          log: logPort(logger),
          budget: { ...deps.budget, timeLeftMs: () => context.getRemainingTimeInMillis() },
        },
        resumeAt,
      );
      resumeAt = report.resumeAt;
      logger.info('reconcile finished', { ...report });
      return report;
    });
}

export async function depsFromEnv(env: Record<string, string | undefined>): Promise<ReconcileHandlerDeps> {
  const config = reconcileConfig(env);
  const { logger, metrics } = powertools('reconcile');
  return {
    store: executionTable(config.tableName, systemClock),
    cluster: await connectCluster(config.cluster),
    clock: systemClock,
    settings: config.execution,
    budget: { pageSize: 100, maxItems: 2000 },
    logger,
    metrics,
  };
}

// Built at Lambda init so bad configuration fails the cold start; elsewhere it builds on first use.
let built = process.env.AWS_LAMBDA_FUNCTION_NAME ? createHandler(await depsFromEnv(process.env)) : undefined;

export const handler = async (event: ScheduledEvent | Record<string, never>, context: Context) => {
  built ??= createHandler(await depsFromEnv(process.env));
  return built(event, context);
};
