/**
 * AuditDeadLetters on SQS (AUDIT_DLQ_URL): SendMessageBatch in chunks of at most 10 messages and
 * under the batch size limit. Entries SQS fails for its own reasons are sent again a few times;
 * if any is still not stored, send() throws, so the caller counts those records as undelivered.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AuditDeadLetter, AuditDeadLetters } from '../../core/ports.js';
import { deadLetterAttributes, encodeDeadLetter } from './audit-dead-letter-message.js';

const MAX_ENTRIES = 10;
/** SQS caps a whole batch at 256 KiB. */
const MAX_BATCH_BYTES = 250_000;
const ATTEMPTS = 3;

function chunks(entries: SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  const out: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.MessageBody ?? '');
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export function sqsAuditDeadLetters(sqs: SQSClient, queueUrl: string): AuditDeadLetters {
  async function sendChunk(chunk: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failed = out.Failed ?? [];
      if (failed.length === 0) return;
      const permanent = failed.some((f) => f.SenderFault);
      if (permanent || attempt === ATTEMPTS) {
        const first = failed[0]!;
        throw new Error(
          `audit dead-letter queue refused ${failed.length} of ${pending.length} messages: ${first.Code ?? 'unknown'} ${first.Message ?? ''}`.trim(),
        );
      }
      const ids = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => ids.has(e.Id));
    }
  }

  return {
    async send(entries: AuditDeadLetter[]): Promise<void> {
      const requests = entries.map(
        (entry, i): SendMessageBatchRequestEntry => ({
          Id: String(i),
          MessageBody: encodeDeadLetter(entry),
          MessageAttributes: deadLetterAttributes(entry),
        }),
      );
      for (const chunk of chunks(requests)) await sendChunk(chunk);
    },
  };
}
