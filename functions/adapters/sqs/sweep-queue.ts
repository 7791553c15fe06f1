/**
 * The sweep queue on SQS: the schedule's fan-out, sent in batches of ten (SQS's batch limit). An entry
 * SQS refuses fails the send, so the fan-out's invocation fails and its error alarm fires.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SweepMessage, SweepQueue } from '../../core/ports.js';

const SQS_BATCH = 10;

export function sqsSweepQueue(sqs: SQSClient, queueUrl: string): SweepQueue {
  return {
    async send(messages: SweepMessage[]) {
      for (let i = 0; i < messages.length; i += SQS_BATCH) {
        const entries = messages.slice(i, i + SQS_BATCH).map((message) => ({
          Id: `shard-${message.shard}`,
          MessageBody: JSON.stringify(message),
        }));
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        if (out.Failed?.length)
          throw new Error(
            `sweep queue refused ${out.Failed.length} of ${entries.length} messages: ${out.Failed[0]?.Message ?? out.Failed[0]?.Code}`,
          );
      }
    },
  };
}
