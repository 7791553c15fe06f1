/**
 * SQS events and timer queues → the event path (core/sync-one.ts). Wiring only.
 * Both queues feed this one function: Tekton's events from the sink, and the system's own lock
 * timers and re-checks (partial batch response: platform/sqs-batch.ts), a run's events in one batch
 * with one sync. A body that is neither kind is logged and dropped, since no retry can make it
 * readable. Each batch has its own transition log; each message's lines carry its id.
 */
import { loggingTransitions } from '../core/execution-log.js';
import { MetricName } from '../core/metric-name.js';
import { batchOfEvents, parseEventMessage } from '../core/sync-one.js';
import { logPort } from '../platform/log.js';
import { metricsPort } from '../platform/powertools.js';
import { sqsBatchHandler } from '../platform/sqs-batch.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type EventsHandlerDeps } from './deps.js';

export function createHandler(deps: EventsHandlerDeps) {
  const metrics = metricsPort(deps.metrics);
  const core = { ...deps, metrics };
  return sqsBatchHandler(deps, 'event', () => {
    const log = logPort(deps.logger);
    const handle = batchOfEvents({ ...core, log, store: loggingTransitions(deps.store, log) });
    return async ({ body, messageId }) => {
      const message = parseEventMessage(body);
      if (!message) {
        metrics.add(MetricName.EventsIgnored, 'Count', 1, { reason: 'bad-shape' });
        log.warn('unreadable events message dropped', { messageId });
        return;
      }
      const outcome = await handle(message);
      log.info('event processed', { messageId, event: message, outcome });
    };
  });
}

export const handler = await lambdaHandler(async () => createHandler(await depsFromEnv(process.env)));
