/**
 * SQS request queue → execute(). Wiring only; the rules live in core/execute.ts.
 * One partial-failure mechanism: Powertools' processPartialResponse. A record handler that returns
 * means done (the message is deleted); one that throws means "retry this message" (transient faults).
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
import { sqsRequestQueue } from '../adapters/sqs/request-queue.js';
import { sleep, systemClock } from '../adapters/system-clock.js';
import { type ExecuteDeps, execute } from '../core/execute.js';
import { executeConfig } from '../platform/config.js';
import { logPort } from '../platform/log.js';
import { metricsPort, powertools } from '../platform/powertools.js';

export interface ExecuteHandlerDeps extends Omit<ExecuteDeps, 'metrics' | 'log'> {
  logger: Logger;
  metrics: PowertoolsMetrics;
}

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

/** The deployed wiring: configuration from the environment (throws naming a bad variable). */
export async function depsFromEnv(env: Record<string, string | undefined>): Promise<ExecuteHandlerDeps> {
  const config = executeConfig(env);
  const { logger, metrics } = powertools('execute');
  return {
    store: executionTable(config.tableName, systemClock),
    cluster: await connectCluster(config.cluster),
    queue: sqsRequestQueue(new SQSClient({}), { queueUrl: config.queueUrl, dlqUrl: config.dlqUrl }),
    clock: systemClock,
    sleep,
    settings: config.execution,
    logger,
    metrics,
  };
}

// Built at Lambda init so bad configuration fails the cold start; elsewhere (tests, `wfe dev`)
// the module imports without an environment and builds on first use.
let built = process.env.AWS_LAMBDA_FUNCTION_NAME ? createHandler(await depsFromEnv(process.env)) : undefined;

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  built ??= createHandler(await depsFromEnv(process.env));
  return built(event, context);
};
