/**
 * The state table's stream records, read as the audit forwarder needs them: an outbox record's
 * event, a change to skip (with why), or a record that cannot be decoded (kept raw, never dropped).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { AuditStreamRecord } from '../../core/forward-audit.js';
import { auditEventOf, isAuditItem } from './items.js';
import { TABLE } from './table.js';

export function toAuditStreamRecord(record: DynamoDBRecord): AuditStreamRecord {
  const stream = record.dynamodb ?? {};
  const sequenceNumber = stream.SequenceNumber ?? '';
  if (record.eventName !== 'INSERT')
    return { kind: 'skip', sequenceNumber, why: `${record.eventName ?? 'unnamed'} change` };
  const undecodable = (error: string): AuditStreamRecord => ({
    kind: 'undecodable',
    sequenceNumber,
    error,
    raw: stream,
  });
  if (!stream.NewImage) return undecodable('the record carries no new image');
  let item: Record<string, unknown>;
  try {
    item = unmarshall(stream.NewImage as Record<string, AttributeValue>);
  } catch (err) {
    return undecodable((err as Error).message);
  }
  if (!isAuditItem(item))
    return {
      kind: 'skip',
      sequenceNumber,
      why: `not an audit record (${TABLE.recordKindAttribute} ${String(item[TABLE.recordKindAttribute])})`,
    };
  // An audit record travels as JSON (to DataStorage, or to the dead-letter queue): a value JSON
  // cannot carry would fail both and block the shard, so such an image is undecodable (raw kept).
  const notJson = valueJsonCannotCarry(item);
  if (notJson) return undecodable(notJson);
  return {
    kind: 'audit',
    sequenceNumber,
    event: auditEventOf(item),
    record: item,
    enteredAt:
      stream.ApproximateCreationDateTime === undefined
        ? undefined
        : new Date(stream.ApproximateCreationDateTime * 1000),
  };
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
