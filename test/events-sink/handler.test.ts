/** The sink's wiring: a Lambda function URL request in, status out; the path's token never logged. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.js';
import { depsFromEnv } from '../../functions/events-sink/deps.js';
import { createHandler } from '../../functions/events-sink/handler.js';
import { RecordingEvents } from '../fakes/recorders.js';
import { lambdaContext } from '../setup/engines.js';

function urlEvent(path: string, body: string, base64 = false): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-type': 'dev.tekton.event.pipelinerun.failed.v1',
    },
    isBase64Encoded: base64,
    body: base64 ? Buffer.from(body).toString('base64') : body,
    requestContext: { http: { method: 'POST', path } } as LambdaFunctionURLEvent['requestContext'],
  };
}

describe('events sink handler (WE-13)', () => {
  it('answers 202 for a good event (base64 body too), 404 for a wrong token', async () => {
    const events = new RecordingEvents();
    const handler = createHandler({
      tokens: async () => new Map([['default', 'tok']]),
      events,
      logger: new Logger({ serviceName: 'events-sink', logLevel: 'ERROR' }),
      metrics: new Metrics({ namespace: 'wfe-test', serviceName: 'events-sink' }),
    });
    const data = JSON.stringify({ pipelineRun: { metadata: { name: 'wfe-1', namespace: 'ns' } } });
    expect((await handler(urlEvent('/tekton/tok', data), lambdaContext('sink'))).statusCode).toBe(202);
    expect((await handler(urlEvent('/tekton/tok', data, true), lambdaContext('sink'))).statusCode).toBe(202);
    expect((await handler(urlEvent('/tekton/nope', data), lambdaContext('sink'))).statusCode).toBe(404);
    expect(events.sent.map((e) => e.message.name)).toEqual(['wfe-1', 'wfe-1']);
  });

  it('takes a token source and an SQS client as overrides, the queue still from EVENTS_QUEUE_URL', async () => {
    const sent: { QueueUrl?: string }[] = [];
    const sqs = { send: async (command: { input: { QueueUrl?: string } }) => sent.push(command.input) };
    const deps = depsFromEnv(
      { EVENTS_QUEUE_URL: 'http://sqs.local/wfe-events' },
      { tokens: async () => new Map([['default', 'local']]), clients: { sqs: sqs as unknown as SQSClient } },
    );
    expect(await deps.tokens()).toEqual(new Map([['default', 'local']]));
    const data = JSON.stringify({ pipelineRun: { metadata: { name: 'wfe-2', namespace: 'ns' } } });
    expect(
      (await createHandler(deps)(urlEvent('/tekton/local', data), lambdaContext('sink'))).statusCode,
    ).toBe(202);
    expect(sent.map((input) => input.QueueUrl)).toEqual(['http://sqs.local/wfe-events']);
  });

  it('fails at start-up naming the missing variable: the queue always, the token secret unless a token source is given', () => {
    expect(() => depsFromEnv({ EVENTS_TOKEN_SECRET_ARN: 'arn:x' })).toThrow(/EVENTS_QUEUE_URL/);
    expect(() => depsFromEnv({}, { tokens: async () => new Map([['default', 'local']]) })).toThrow(
      /EVENTS_QUEUE_URL/,
    );
    expect(() => depsFromEnv({ EVENTS_QUEUE_URL: 'http://sqs.local/q' })).toThrow(ConfigError);
    expect(() => depsFromEnv({ EVENTS_QUEUE_URL: 'http://sqs.local/q' })).toThrow(
      'EVENTS_TOKEN_SECRET_ARN is required',
    );
  });
});
