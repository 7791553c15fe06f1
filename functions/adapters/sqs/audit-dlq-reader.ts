/**
 * The audit dead-letter queue read back for a redrive: ReceiveMessage, DeleteMessageBatch once
 * DataStorage has the event, ChangeMessageVisibilityBatch to 0 for the ones left behind.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AuditDeadLetterQueue, ParkedAuditRecord } from '../../core/ports.js';
import { decodeDeadLetter } from './audit-dead-letter-message.js';

export interface DlqReaderOptions {
  /** How long received messages stay hidden; longer than a redrive takes. Default 300. */
  visibilityTimeoutSeconds?: number;
  /** Long polling reads every SQS host, so an empty answer means an empty queue. Default 1. */
  waitTimeSeconds?: number;
}

const inTens = <T>(items: T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / 10) }, (_, i) => items.slice(i * 10, i * 10 + 10));

function throwIfFailed(
  action: string,
  failed: { Id?: string; Code?: string; Message?: string }[] | undefined,
) {
  if (!failed || failed.length === 0) return;
  const first = failed[0]!;
  throw new Error(
    `${action} failed for ${failed.length} message(s): ${first.Code ?? 'unknown'} ${first.Message ?? ''}`.trim(),
  );
}

export function sqsAuditDeadLetterQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: DlqReaderOptions = {},
): AuditDeadLetterQueue {
  return {
    async receive(max: number): Promise<ParkedAuditRecord[]> {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 300,
          WaitTimeSeconds: options.waitTimeSeconds ?? 1,
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        id: m.MessageId ?? '',
        handle: m.ReceiptHandle ?? '',
        entry: decodeDeadLetter(m.Body),
      }));
    },

    async delete(records: ParkedAuditRecord[]): Promise<void> {
      for (const chunk of inTens(records)) {
        const out = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((r, i) => ({ Id: String(i), ReceiptHandle: r.handle })),
          }),
        );
        throwIfFailed('deleting from the audit dead-letter queue', out.Failed);
      }
    },

    async release(records: ParkedAuditRecord[]): Promise<void> {
      for (const chunk of inTens(records)) {
        const out = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((r, i) => ({ Id: String(i), ReceiptHandle: r.handle, VisibilityTimeout: 0 })),
          }),
        );
        throwIfFailed('releasing audit dead letters', out.Failed);
      }
    },

    async depth(): Promise<number> {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const attributes = out.Attributes ?? {};
      return (
        Number(attributes.ApproximateNumberOfMessages ?? 0) +
        Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
  };
}
