/**
 * RequestQueue on SQS: deferrals are new messages on the request queue with DelaySeconds (a fresh
 * receive count, so waiting never pushes a request toward the dead-letter queue); rejections go
 * straight to the dead-letter queue with the reason as a message attribute.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RequestQueue } from '../../core/ports.js';

/** SQS message attributes hold up to 256 KiB; a reason is kept readable, not a dump. */
const MAX_REASON = 4096;

export function sqsRequestQueue(sqs: SQSClient, urls: { queueUrl: string; dlqUrl: string }): RequestQueue {
  return {
    async defer(body, delaySeconds) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: urls.queueUrl, MessageBody: body, DelaySeconds: delaySeconds }),
      );
    },
    async deadLetter(body, reason) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: urls.dlqUrl,
          MessageBody: body.length > 0 ? body : '(empty message body)',
          MessageAttributes: {
            reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON) },
            rejectedBy: { DataType: 'String', StringValue: 'wfe-execute' },
          },
        }),
      );
    },
  };
}
