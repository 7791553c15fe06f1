/** The events sink's dependencies, from its environment (throws naming a bad variable). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { cachedEventsToken } from '../adapters/secrets-manager/events-token.js';
import { sqsDelayQueue } from '../adapters/sqs/delay-queue.js';
import { systemClock } from '../adapters/system-clock.js';
import type { SinkDeps } from '../core/tekton-event.js';
import { eventsSinkConfig } from '../platform/config.js';
import { type Observability, type Overrides, observabilityOf } from '../platform/wiring.js';

export type EventsSinkHandlerDeps = Omit<SinkDeps, 'metrics' | 'log'> & Observability;
/** Locally the token is WFE_EVENTS_TOKEN's value, not a secret's. */
export type EventsSinkOverrides = Omit<Overrides, 'sleep'> & Partial<Pick<SinkDeps, 'token'>>;

export function depsFromEnv(
  env: Record<string, string | undefined>,
  overrides: EventsSinkOverrides = {},
): EventsSinkHandlerDeps {
  const queueUrl = env.EVENTS_QUEUE_URL;
  const config = overrides.token
    ? { eventsQueueUrl: queueUrl ?? '', tokenSecretArn: '' }
    : eventsSinkConfig(env);
  return {
    token: overrides.token ?? cachedEventsToken(config.tokenSecretArn, overrides.clock ?? systemClock),
    events: sqsDelayQueue(overrides.clients?.sqs ?? new SQSClient({}), config.eventsQueueUrl),
    ...observabilityOf('events-sink', overrides),
  };
}
