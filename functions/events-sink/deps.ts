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
/** Token sources given here (`wfe dev`'s WFE_EVENTS_TOKEN) replace the secrets, as a client replaces the SDK's. */
export type EventsSinkOverrides = Omit<Overrides, 'sleep'> & Partial<Pick<SinkDeps, 'tokens'>>;

export function depsFromEnv(
  env: Record<string, string | undefined>,
  overrides: EventsSinkOverrides = {},
): EventsSinkHandlerDeps {
  const config = eventsSinkConfig(env);
  return {
    tokens: overrides.tokens ?? secretTokens(config.tokenSecretArns, overrides),
    events: sqsDelayQueue(overrides.clients?.sqs ?? new SQSClient({}), config.eventsQueueUrl),
    ...observabilityOf('events-sink', overrides),
  };
}

/** Each cluster's token from its secret (WE-16); a cluster without one is a configuration error. */
function secretTokens(
  secrets: { cluster: string; secretArn: string | undefined }[],
  overrides: EventsSinkOverrides,
): SinkDeps['tokens'] {
  const sources = secrets.map(({ cluster, secretArn }) => {
    if (!secretArn)
      throw new ConfigError(
        secrets.length === 1
          ? 'invalid configuration: EVENTS_TOKEN_SECRET_ARN is required'
          : `invalid configuration: CLUSTERS entry "${cluster}" has no eventsTokenSecretArn`,
      );
    return { cluster, token: cachedEventsToken(secretArn, overrides.clock ?? systemClock) };
  });
  return async () =>
    new Map(await Promise.all(sources.map(async ({ cluster, token }) => [cluster, await token()] as const)));
}
