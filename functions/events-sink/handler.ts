/**
 * Lambda function URL → the CloudEvents sink (core/tekton-event.ts). Wiring only.
 * The request path carries the token, so neither the path nor the event is ever logged.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { cachedEventsToken } from '../adapters/secrets-manager/events-token.js';
import { sqsDelayQueue } from '../adapters/sqs/delay-queue.js';
import { systemClock } from '../adapters/system-clock.js';
import { receiveEvent, type SinkDeps } from '../core/tekton-event.js';
import { eventsSinkConfig } from '../platform/config.js';
import { logPort } from '../platform/log.js';
import { metricsPort, powertools } from '../platform/powertools.js';

export interface EventsSinkHandlerDeps extends Omit<SinkDeps, 'metrics' | 'log'> {
  logger: Logger;
  metrics: PowertoolsMetrics;
}

export function createHandler(deps: EventsSinkHandlerDeps) {
  const { logger } = deps;
  const core: SinkDeps = { ...deps, metrics: metricsPort(deps.metrics), log: logPort(logger) };
  return middy<LambdaFunctionURLEvent, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(deps.metrics))
    .handler(async (event) => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
      const body = event.body
        ? event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body
        : '';
      const response = await receiveEvent(
        { method: event.requestContext.http.method, path: event.rawPath, headers, body },
        core,
      );
      return {
        statusCode: response.status,
        headers: { 'content-type': 'text/plain' },
        body: response.body ?? '',
      };
    });
}

/** The deployed wiring: configuration from the environment (throws naming a bad variable). */
export async function depsFromEnv(env: Record<string, string | undefined>): Promise<EventsSinkHandlerDeps> {
  const config = eventsSinkConfig(env);
  const { logger, metrics } = powertools('events-sink');
  return {
    token: cachedEventsToken(config.tokenSecretArn, systemClock),
    events: sqsDelayQueue(new SQSClient({}), config.eventsQueueUrl),
    logger,
    metrics,
  };
}

// Built at Lambda init so bad configuration fails the cold start; elsewhere it builds on first use.
let built = process.env.AWS_LAMBDA_FUNCTION_NAME ? createHandler(await depsFromEnv(process.env)) : undefined;

export const handler = async (event: LambdaFunctionURLEvent, context: Context) => {
  built ??= createHandler(await depsFromEnv(process.env));
  return built(event, context);
};
