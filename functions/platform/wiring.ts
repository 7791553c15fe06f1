/**
 * What the three functions' wiring shares: the overrides that say what differs where a function
 * runs outside Lambda (`wfe dev`, the bench, the tests), and the lazily built Lambda entry point.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { Clock } from '../core/ports.js';
import { powertools } from './powertools.js';

export interface Observability {
  logger: Logger;
  metrics: PowertoolsMetrics;
}

/**
 * Everything else comes from the environment, as deployed. A port given here (a store, a cluster, a
 * queue, a sink) replaces the adapter the environment would configure; `sleep: undefined` given
 * explicitly means "never wait in place" (a run on an injected clock).
 */
export interface Overrides {
  /** SDK clients pointed at other endpoints (DynamoDB Local, the local SQS). */
  clients?: { dynamodb?: DynamoDBClient; sqs?: SQSClient };
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** Logger and metrics; Powertools' defaults for the function otherwise. */
  observability?: Observability;
}

export const observabilityOf = (service: string, overrides: Overrides): Observability =>
  overrides.observability ?? powertools(service);

/** The override when given (even as undefined), else the deployed value. */
export const given = <O extends object, K extends keyof O>(
  overrides: O,
  key: K,
  deployed: () => O[K],
): O[K] => (key in overrides ? overrides[key] : deployed());

type Invoke<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * The exported Lambda handler. Built at Lambda init, so bad configuration fails the cold start;
 * elsewhere (tests, `wfe dev`) the module imports without an environment and builds on first use.
 */
export async function lambdaHandler<E, R>(build: () => Promise<Invoke<E, R>>): Promise<Invoke<E, R>> {
  let built = process.env.AWS_LAMBDA_FUNCTION_NAME ? await build() : undefined;
  return async (event, context) => {
    built ??= await build();
    return built(event, context);
  };
}
