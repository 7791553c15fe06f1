/**
 * The events and timer queues on SQS: each message is JSON, held back DelaySeconds (at most 900,
 * which the core already respects).
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventQueue, LockTimer, RunHint, TimerQueue } from '../../core/ports.js';

export function sqsDelayQueue(sqs: SQSClient, queueUrl: string): EventQueue & TimerQueue {
  return {
    async send(message: RunHint | LockTimer, delaySeconds: number) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          DelaySeconds: delaySeconds,
        }),
      );
    },
  };
}
