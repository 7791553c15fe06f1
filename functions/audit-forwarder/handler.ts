/**
 * DynamoDB stream of the state table → forwardAudit(). Wiring only; the rules live in
 * core/forward-audit.ts. The one partial-failure mechanism is the returned batchItemFailures:
 * the first record neither delivered nor parked, from which the stream retries in order.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { dataStorageAuditClient } from '../adapters/datastorage/audit-client.js';
import { secretsManagerToken } from '../adapters/datastorage/bearer-token.js';
import { sqsAuditDeadLetters } from '../adapters/sqs/audit-dead-letters.js';
import { sleep, systemClock } from '../adapters/system-clock.js';
import { type AuditStreamRecord, type ForwardSettings, forwardAudit } from '../core/forward-audit.js';
import type { AuditDeadLetters, AuditSink, Clock } from '../core/ports.js';
import { forwarderConfig } from '../platform/config.js';
import { metricsPort, powertools } from '../platform/powertools.js';

export interface AuditForwarderDeps {
  sink: AuditSink;
  deadLetters: AuditDeadLetters;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  settings: ForwardSettings;
  logger: Logger;
  metrics: PowertoolsMetrics;
  random?: () => number;
}

/** Decodes one stream record; a record that cannot be decoded is carried as such, not dropped. */
export function toStreamRecord(record: DynamoDBRecord): AuditStreamRecord {
  const stream = record.dynamodb ?? {};
  const base = {
    sequenceNumber: stream.SequenceNumber ?? '',
    eventName: record.eventName,
    enteredAt:
      stream.ApproximateCreationDateTime === undefined
        ? undefined
        : new Date(stream.ApproximateCreationDateTime * 1000),
  };
  if (record.eventName !== 'INSERT') return { ...base, image: { ok: true, item: {} } };
  if (!stream.NewImage)
    return { ...base, image: { ok: false, error: 'the record carries no new image', raw: stream } };
  try {
    const item = unmarshall(stream.NewImage as Record<string, AttributeValue>);
    // An audit record travels as JSON (to DataStorage, or to the dead-letter queue): a value JSON
    // cannot carry would fail both and block the shard, so such an image is undecodable (raw kept).
    const notJson = item.kind === 'audit' ? valueJsonCannotCarry(item) : undefined;
    if (notJson) return { ...base, image: { ok: false, error: notJson, raw: stream } };
    return { ...base, image: { ok: true, item } };
  } catch (err) {
    return { ...base, image: { ok: false, error: (err as Error).message, raw: stream } };
  }
}

/** Where a decoded image holds what the SDK gives for DynamoDB types JSON has no word for. */
function valueJsonCannotCarry(value: unknown, path = ''): string | undefined {
  const at = path || 'the image';
  if (typeof value === 'bigint') return `${at} is a number beyond JavaScript's safe integer range (${value})`;
  if (value instanceof Set) return `${at} is a DynamoDB set`;
  if (ArrayBuffer.isView(value)) return `${at} is DynamoDB binary`;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const problem = valueJsonCannotCarry(
      child,
      Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
    );
    if (problem) return problem;
  }
  return undefined;
}

export function createHandler(deps: AuditForwarderDeps) {
  const { logger } = deps;
  const metrics = metricsPort(deps.metrics);

  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(deps.metrics))
    .handler(async (event, context: Context) => {
      const report = await forwardAudit(event.Records.map(toStreamRecord), {
        sink: deps.sink,
        deadLetters: deps.deadLetters,
        metrics,
        clock: deps.clock,
        sleep: deps.sleep,
        random: deps.random,
        remainingMs: () => context.getRemainingTimeInMillis(),
        settings: deps.settings,
      });
      for (const parked of report.deadLettered) logger.warn('audit record dead-lettered', parked);
      for (const skipped of report.skipped) logger.debug('stream record skipped', skipped);
      if (report.resumeAt)
        logger.warn('audit delivery stopped; the stream retries from here', report.resumeAt);
      logger.info('audit batch forwarded', {
        records: event.Records.length,
        delivered: report.delivered,
        deadLettered: report.deadLettered.length,
        skipped: report.skipped.length,
        retries: report.retries,
      });
      return {
        batchItemFailures: report.resumeAt ? [{ itemIdentifier: report.resumeAt.sequenceNumber }] : [],
      };
    });
}

/** The deployed wiring: configuration from the environment (throws naming a bad variable). */
export function depsFromEnv(env: Record<string, string | undefined>): AuditForwarderDeps {
  const config = forwarderConfig(env);
  const { logger, metrics } = powertools('audit-forwarder');
  return {
    sink: dataStorageAuditClient({
      url: config.dataStorageUrl,
      timeoutMs: config.requestTimeoutMs,
      token: config.tokenSecretArn ? secretsManagerToken(config.tokenSecretArn) : undefined,
    }),
    deadLetters: sqsAuditDeadLetters(new SQSClient({}), config.auditDlqUrl),
    clock: systemClock,
    sleep,
    settings: {
      batchSize: config.batchSize,
      requestTimeoutMs: config.requestTimeoutMs,
      giveUpAfterMs: config.giveUpAfterMs,
    },
    logger,
    metrics,
  };
}

// Built at Lambda init so bad configuration fails the cold start; elsewhere (tests, `wfe dev`)
// the module imports without an environment and builds on first use.
let built = process.env.AWS_LAMBDA_FUNCTION_NAME ? createHandler(depsFromEnv(process.env)) : undefined;

export const handler = (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  built ??= createHandler(depsFromEnv(process.env));
  return built(event, context);
};
