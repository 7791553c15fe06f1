/**
 * The audit forwarder's event filter, as infra/functions.ts declares it on the stream mapping:
 * only INSERTs of audit outbox records. Matching records are delivered; the rest are skipped.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { RecordKind, TABLE } from '../../functions/adapters/dynamodb/table.js';

export function isAuditInsert(record: DynamoDBRecord): boolean {
  return (
    record.eventName === 'INSERT' &&
    record.dynamodb?.NewImage?.[TABLE.recordKindAttribute]?.S === RecordKind.Audit
  );
}
