/** The events sink's dependencies, from its environment (throws naming a bad variable). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { cachedEventsToken } from '../adapters/secrets-manager/events-token.js';
import { sqsDelayQueue } from '../adapters/sqs/delay-queue.js';
import { systemClock } from '../adapters/system-clock.js';
import { ConfigError } from '../core/errors.js';
import type { SinkDeps } from '../core/tekton-event.js';
import { eventsSinkConfig } from '../platform/config.js';
import { type Observability, type Overrides, observabilityOf } from '../platform/wiring.js';

export type EventsSinkHandlerDeps = Omit<SinkDeps, 'metrics' | 'log'> & Observability;
/** A token source given here (`wfe dev`'s WFE_EVENTS_TOKEN) replaces the secret, as a client replaces the SDK's. */
export type EventsSinkOverrides = Omit<Overrides, 'sleep'> & Partial<Pick<SinkDeps, 'token'>>;

export function depsFromEnv(
  env: Record<string, string | undefined>,
  overrides: EventsSinkOverrides = {},
): EventsSinkHandlerDeps {
  const config = eventsSinkConfig(env);
  return {
    token: overrides.token ?? secretToken(config.tokenSecretArn, overrides),
    events: sqsDelayQueue(overrides.clients?.sqs ?? new SQSClient({}), config.eventsQueueUrl),
    ...observabilityOf('events-sink', overrides),
  };
}

function secretToken(secretArn: string | undefined, overrides: EventsSinkOverrides) {
  if (!secretArn) throw new ConfigError('invalid configuration: EVENTS_TOKEN_SECRET_ARN is required');
  return cachedEventsToken(secretArn, overrides.clock ?? systemClock);
}
