/**
 * The audit dead-letter message: its body is JSON `{reason, problem, event, record}`, and a few
 * message attributes let an operator filter the queue without parsing bodies. Written by
 * audit-dead-letters.ts, read back by audit-dlq-reader.ts.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { AuditDeadLetter } from '../../core/ports.js';

/** Under SQS's 256 KiB message limit, leaving room for the attributes. */
export const MAX_BODY_BYTES = 240_000;

export function encodeDeadLetter(entry: AuditDeadLetter): string {
  const body = JSON.stringify({
    reason: entry.reason,
    problem: entry.problem ?? null,
    event: entry.event ?? null,
    record: entry.record ?? null,
  });
  if (Buffer.byteLength(body) <= MAX_BODY_BYTES || entry.event === undefined) return body;
  // The record repeats the event; keep the event, which is what a redrive replays.
  return JSON.stringify({
    reason: entry.reason,
    problem: entry.problem ?? null,
    event: entry.event,
    record: {
      omitted: 'the stream record was left out: with it the message would exceed the SQS size limit',
    },
  });
}

const text = (value: string, max = 256): MessageAttributeValue => ({
  DataType: 'String',
  StringValue: value.length > max ? `${value.slice(0, max - 1)}…` : value,
});

export function deadLetterAttributes(entry: AuditDeadLetter): Record<string, MessageAttributeValue> {
  return {
    reason: text(entry.reason || 'unknown'),
    ...(entry.event?.event_type ? { event_type: text(entry.event.event_type) } : {}),
    ...(entry.event?.correlation_id ? { correlation_id: text(entry.event.correlation_id) } : {}),
  };
}

export function decodeDeadLetter(body: string | undefined): AuditDeadLetter | { unreadable: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch (err) {
    return { unreadable: `body is not JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { unreadable: 'body is not a JSON object' };
  const { reason, problem, event, record, DDBStreamBatchInfo } = parsed as Record<string, unknown>;
  if (DDBStreamBatchInfo) return { unreadable: onFailureRecord(DDBStreamBatchInfo) };
  if (typeof reason !== 'string') return { unreadable: 'body has no reason' };
  return {
    reason,
    record,
    ...(problem === null || problem === undefined ? {} : { problem }),
    ...(typeof event === 'object' && event !== null ? { event: event as AuditDeadLetter['event'] } : {}),
  };
}

/**
 * The event source mapping's on-failure destination shares this queue, and its messages name a
 * range of the stream instead of carrying the records.
 */
function onFailureRecord(info: unknown): string {
  const { shardId, startSequenceNumber, endSequenceNumber } = info as Record<string, unknown>;
  return `a stream on-failure record (shard ${String(shardId)}, sequence numbers ${String(startSequenceNumber)} to ${String(endSequenceNumber)}): it carries no events; they can be read from the stream only within its 24 h retention`;
}
