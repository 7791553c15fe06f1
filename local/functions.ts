/**
 * The three functions as the local system runs them: the real handlers (functions/<name>/handler.ts),
 * configured from the functions' own variables, with their dependencies pointed at the local
 * engines, behind the event sources AWS would give them: the queue poller for execute, the schedule
 * for reconcile, the stream poller (with the deployed filter and retry limits) for the forwarder.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { depsFromEnv as forwarderDeps } from '../functions/audit-forwarder/deps.js';
import { createHandler as createForwarder } from '../functions/audit-forwarder/handler.js';
import { depsFromEnv as eventsDeps } from '../functions/events/deps.js';
import { createHandler as createEvents } from '../functions/events/handler.js';
import { depsFromEnv as eventsSinkDeps } from '../functions/events-sink/deps.js';
import { createHandler as createEventsSink } from '../functions/events-sink/handler.js';
import { type ExecuteHandlerDeps, depsFromEnv as executeDeps } from '../functions/execute/deps.js';
import { createHandler as createExecute } from '../functions/execute/handler.js';
import { METRICS_NAMESPACE } from '../functions/platform/powertools.js';
import { depsFromEnv as reconcileDeps } from '../functions/reconcile/deps.js';
import { createHandler as createReconcile } from '../functions/reconcile/handler.js';
import { isAuditInsert } from './aws/audit-filter.js';
import { type PollerErrorListener, pause } from './aws/event-source.js';
import { type Poller, startQueuePoller } from './aws/queue-poller.js';
import { startSchedule } from './aws/schedule.js';
import type { LocalQueue } from './aws/sqs.js';
import { startStreamPoller } from './aws/stream-poller.js';
import { DEPLOYED } from './deployed-settings.js';
import { fileLogger, type LogSink } from './file-logger.js';

export interface FunctionsInput {
  /** The functions' environment, local endpoints filled in (TABLE_NAME, QUEUE_URL, KUBECONFIG, …). */
  env: Record<string, string | undefined>;
  clients: { dynamodb: DynamoDBClient; streams: DynamoDBStreamsClient; sqs: SQSClient };
  streamArn: string;
  requests: LocalQueue;
  /** Tekton's events (from the sink) and the lock timers, both read by the events function. */
  events: LocalQueue;
  timers: LocalQueue;
  /** Each cluster's events sink token by cluster name, the default first; locally they need no Secrets Manager. */
  eventsTokens: ReadonlyMap<string, string>;
  /** The stream mapping's on-failure destination. */
  auditDlqUrl: string;
  log: LogSink;
  /** Aborted when the system stops: sleeps end, and handlers see no time left. */
  stopping: AbortSignal;
  reconcileIntervalMs: number;
  queue?: { batchSize?: number; batchingWindowSeconds?: number };
  stream?: {
    retryAttempts?: number;
    maxRecordAgeMs?: number;
    retryBackoff?: { baseMs: number; maxMs: number };
  };
  onPollerError: PollerErrorListener;
}

/** A function's logger (to the log file) and metrics (disabled locally; their warnings go to the log too). */
function observability(serviceName: string, log: LogSink) {
  const logger = fileLogger(serviceName, log);
  return { logger, metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger }) };
}

export async function startFunctions(input: FunctionsInput): Promise<{
  pollers: Poller[];
  settings: ExecuteHandlerDeps['settings'];
  eventsSink: ReturnType<typeof createEventsSink>;
}> {
  const { env, clients, log, onPollerError } = input;
  // Each throws naming a bad variable, as the deployed functions do at their cold start.
  const execute = await executeDeps(env, { clients, observability: observability('execute', log) });
  const reconcile = await reconcileDeps(env, {
    clients,
    observability: observability('reconcile', log),
  });
  const forwarder = forwarderDeps(env, {
    clients,
    sleep: (ms) => pause(ms, input.stopping),
    observability: observability('audit-forwarder', log),
  });
  // One events handler per queue poller, as Lambda runs one invocation per instance at a time:
  // Powertools' batch processor keeps the batch in progress on the instance.
  const eventsDepsForPollers = await eventsDeps(env, {
    clients,
    observability: observability('events', log),
  });
  const eventsSink = createEventsSink(
    eventsSinkDeps(
      { ...env, EVENTS_QUEUE_URL: input.events.url },
      {
        clients,
        tokens: async () => new Map(input.eventsTokens),
        observability: observability('events-sink', log),
      },
    ),
  );
  const executeHandler = createExecute(execute);
  const reconcileHandler = createReconcile(reconcile);
  const forwarderHandler = createForwarder(forwarder);

  const pollers: Poller[] = [
    startQueuePoller({
      sqs: clients.sqs,
      queue: input.requests,
      functionName: 'wfe-execute',
      timeoutMs: DEPLOYED.timeoutsMs.execute,
      handler: executeHandler,
      batchSize: input.queue?.batchSize ?? DEPLOYED.requests.batchSize,
      batchingWindowSeconds: input.queue?.batchingWindowSeconds ?? DEPLOYED.requests.maxBatchingWindowSeconds,
      onError: onPollerError,
    }),
    ...[input.events, input.timers].map((queue) =>
      startQueuePoller({
        sqs: clients.sqs,
        queue,
        functionName: 'wfe-events',
        timeoutMs: DEPLOYED.timeoutsMs.events,
        handler: createEvents(eventsDepsForPollers),
        batchSize: DEPLOYED.events.batchSize,
        batchingWindowSeconds: 0,
        onError: onPollerError,
      }),
    ),
    startSchedule({
      intervalMs: input.reconcileIntervalMs,
      functionName: 'wfe-reconcile',
      timeoutMs: DEPLOYED.timeoutsMs.reconcile,
      handler: reconcileHandler,
      onError: onPollerError,
    }),
    startStreamPoller({
      streams: clients.streams,
      streamArn: input.streamArn,
      functionName: 'wfe-audit-forwarder',
      timeoutMs: DEPLOYED.timeoutsMs.auditForwarder,
      handler: forwarderHandler,
      filter: isAuditInsert,
      batchSize: forwarder.settings.batchSize,
      retryAttempts: input.stream?.retryAttempts ?? DEPLOYED.audit.retryAttempts,
      maxRecordAgeMs: input.stream?.maxRecordAgeMs ?? DEPLOYED.audit.maxRecordAgeSeconds * 1000,
      bisectBatchOnError: DEPLOYED.audit.bisectBatchOnError,
      ...(input.stream?.retryBackoff ? { retryBackoff: input.stream.retryBackoff } : {}),
      onFailure: async (failure) => {
        await clients.sqs.send(
          new SendMessageCommand({ QueueUrl: input.auditDlqUrl, MessageBody: JSON.stringify(failure) }),
        );
      },
      onError: onPollerError,
    }),
  ];
  return { pollers, settings: execute.settings, eventsSink };
}
