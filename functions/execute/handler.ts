/**
 * SQS request queue → execute(). Wiring only; the rules live in core/execute.ts, the partial batch
 * response in platform/sqs-batch.ts.
 */
import { type ExecuteDeps, execute } from '../core/execute.js';
import { logPort } from '../platform/log.js';
import { metricsPort } from '../platform/powertools.js';
import { sqsBatchHandler } from '../platform/sqs-batch.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type ExecuteHandlerDeps } from './deps.js';

export function createHandler(deps: ExecuteHandlerDeps) {
  const { logger } = deps;
  const core: ExecuteDeps = { ...deps, metrics: metricsPort(deps.metrics), log: logPort(logger) };
  return sqsBatchHandler(deps, 'request', () => async ({ body, messageId }) => {
    const outcome = await execute(body, core);
    logger.info('request processed', { messageId, ...outcome });
  });
}

export const handler = await lambdaHandler(async () => createHandler(await depsFromEnv(process.env)));
