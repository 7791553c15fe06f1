/**
 * The one partial-failure mechanism of the SQS-triggered functions: Powertools' partial batch
 * response. A record handler that returns means done (the message is deleted); one that throws means
 * "retry this message" (a transient fault), logged here as such.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { publishMetrics } from './powertools.js';
import type { Observability } from './wiring.js';

export function sqsBatchHandler(
  { logger, metrics }: Observability,
  /** What one message is, in the retry log line ("request", "event"). */
  noun: string,
  /** The record handler for one batch, made anew for each, so what it keeps lasts one batch. */
  forBatch: () => (record: SQSRecord) => Promise<void>,
) {
  const processor = new BatchProcessor(EventType.SQS);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(publishMetrics(metrics))
    .handler((event, context: Context) => {
      const processRecord = forBatch();
      const retryingOnThrow = async (record: SQSRecord): Promise<void> => {
        try {
          await processRecord(record);
        } catch (err) {
          logger.warn(`${noun} will be retried`, { messageId: record.messageId, error: err as Error });
          throw err;
        }
      };
      return processPartialResponse(event, retryingOnThrow, processor, {
        context,
        throwOnFullBatchFailure: false,
      });
    });
}
