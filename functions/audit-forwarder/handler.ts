/**
 * DynamoDB stream of the state table → forwardAudit(). Wiring only; the rules live in
 * core/forward-audit.ts. The one partial-failure mechanism is the returned batchItemFailures:
 * the first record neither delivered nor parked, from which the stream retries in order.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { dataStorageAuditClient } from '../adapters/datastorage/audit-client.js';
import { secretsManagerToken } from '../adapters/datastorage/bearer-token.js';
import { toAuditStreamRecord } from '../adapters/dynamodb/audit-stream.js';
import { sqsAuditDeadLetters } from '../adapters/sqs/audit-dead-letters.js';
import { sleep, systemClock } from '../adapters/system-clock.js';
import { type ForwardSettings, forwardAudit } from '../core/forward-audit.js';
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

export function createHandler(deps: AuditForwarderDeps) {
  const { logger } = deps;
  const metrics = metricsPort(deps.metrics);

  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(deps.metrics))
    .handler(async (event, context: Context) => {
      const report = await forwardAudit(event.Records.map(toAuditStreamRecord), {
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
