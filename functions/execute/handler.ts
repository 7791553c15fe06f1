/**
 * SQS request queue → execute(). Wiring only; the rules live in core/execute.ts, the partial batch
 * response in platform/sqs-batch.ts. Each message has its own log keys and its own transition log.
 */
import { type ExecuteDeps, execute } from '../core/execute.js';
import { loggingTransitions } from '../core/execution-log.js';
import { logPort } from '../platform/log.js';
import { metricsPort } from '../platform/powertools.js';
import { sqsBatchHandler } from '../platform/sqs-batch.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type ExecuteHandlerDeps } from './deps.js';

export function createHandler(deps: ExecuteHandlerDeps) {
  const core: Omit<ExecuteDeps, 'log'> = { ...deps, metrics: metricsPort(deps.metrics) };
  return sqsBatchHandler(deps, 'request', () => async ({ body, messageId }) => {
    const log = logPort(deps.logger, { messageId });
    await execute(body, { ...core, log, store: loggingTransitions(deps.store, log) });
  });
}

export const handler = await lambdaHandler(async () => createHandler(await depsFromEnv(process.env)));
