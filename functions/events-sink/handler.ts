/**
 * Lambda function URL → the CloudEvents sink (core/tekton-event.ts). Wiring only.
 * The request path carries the token, so neither the path nor the event is ever logged.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { receiveEvent, type SinkDeps } from '../core/tekton-event.js';
import { logPort } from '../platform/log.js';
import { metricsPort, publishMetrics } from '../platform/powertools.js';
import { lambdaHandler } from '../platform/wiring.js';
import { depsFromEnv, type EventsSinkHandlerDeps } from './deps.js';

export function createHandler(deps: EventsSinkHandlerDeps) {
  const { logger } = deps;
  const core: SinkDeps = { ...deps, metrics: metricsPort(deps.metrics), log: logPort(logger) };
  return middy<LambdaFunctionURLEvent, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(publishMetrics(deps.metrics))
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

export const handler = await lambdaHandler(async () => createHandler(depsFromEnv(process.env)));
