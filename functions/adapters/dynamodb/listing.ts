/**
 * Whole-table listings for the operator's commands (`wfe list`, `wfe locks`) and the local progress
 * view. These Scan: they are for people looking, never on a function's hot path (SPEC WE-7), which
 * reads only through ExecutionStore's keys and index.
 */
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEventRequest } from '../../core/audit-event.js';
import type { Execution, Phase } from '../../core/execution.js';
import type { ExecutionId } from '../../core/execution-id.js';
import type { Lock } from '../../core/lock.js';
import type { Rejection } from '../../core/ports.js';
import { executionPk, type Item, toExecution, toLock, toRejection } from './items.js';
import { RecordKind, TABLE } from './table.js';

export interface ExecutionFilter {
  phase?: Phase;
  target?: string;
}

export function tableListing(tableName: string, doc: DynamoDBDocumentClient) {
  async function scanAll(input: Omit<ScanCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(
        new ScanCommand({ ...input, TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    /** Every execution (optionally of one phase and/or target), oldest first. */
    async executions(filter: ExecutionFilter = {}): Promise<Execution[]> {
      const conditions = ['#kind = :kind'];
      const names: Record<string, string> = { '#kind': TABLE.recordKindAttribute };
      const values: Record<string, unknown> = { ':kind': RecordKind.Execution };
      if (filter.phase) {
        conditions.push('#phase = :phase');
        names['#phase'] = 'phase';
        values[':phase'] = filter.phase;
      }
      if (filter.target) {
        conditions.push('#target = :target');
        names['#target'] = 'target';
        values[':target'] = filter.target;
      }
      const items = await scanAll({
        FilterExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      return items
        .map(toExecution)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.name.localeCompare(b.id.name));
    },

    /** Every lock, by target. */
    async locks(): Promise<Lock[]> {
      const items = await scanAll({
        FilterExpression: '#kind = :kind',
        ExpressionAttributeNames: { '#kind': TABLE.recordKindAttribute },
        ExpressionAttributeValues: { ':kind': RecordKind.Lock },
      });
      return items.map(toLock).sort((a, b) => a.target.localeCompare(b.target) || a.key.localeCompare(b.key));
    },

    /** Why requests were dead-lettered, oldest first. */
    async rejections(): Promise<Rejection[]> {
      const items = await scanAll({
        FilterExpression: '#kind = :kind',
        ExpressionAttributeNames: { '#kind': TABLE.recordKindAttribute },
        ExpressionAttributeValues: { ':kind': RecordKind.Rejection },
      });
      return items
        .map(toRejection)
        .sort((a, b) => a.at.localeCompare(b.at) || a.messageId.localeCompare(b.messageId));
    },

    /** The audit records an execution has written to the outbox, oldest first. */
    async auditRecords(id: ExecutionId): Promise<AuditEventRequest[]> {
      const events: AuditEventRequest[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :audit)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
            ExpressionAttributeValues: { ':pk': executionPk(id), ':audit': 'AUDIT#' },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        );
        for (const item of out.Items ?? []) events.push((item as Item).event as AuditEventRequest);
        start = out.LastEvaluatedKey;
      } while (start);
      return events;
    },
  };
}

export type TableListing = ReturnType<typeof tableListing>;
