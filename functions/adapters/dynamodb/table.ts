/**
 * The one definition of the state table, used by the CDK app (infra/) and by the local engines
 * (DynamoDB Local in tests and `npm start`).
 *
 * Items, all keyed by pk + sk:
 *   execution  pk EXEC#<namespace>/<name>          sk STATE
 *   audit      pk EXEC#<namespace>/<name>          sk AUDIT#<event_timestamp>#<event_type>   (the outbox; TTL)
 *   lock       pk LOCK#<cluster>#<targetResource>  sk LOCK
 *   rejection  pk REJECTED#<dead letter's message id> sk REJECTED                              (TTL)
 * The sparse `due` index holds only what reconcile must look at: Running executions
 * (dueKind "running") and locks whose lease or cooldown will end (dueKind "lock", dueAt = when).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  dueIndex: { name: 'due', partitionKey: 'dueKind', sortKey: 'dueAt' },
  ttlAttribute: 'expiresAt',
  /** The attribute the stream filter and the forwarder use to tell audit records from the rest. */
  recordKindAttribute: 'kind',
} as const;

export const DueKind = { Running: 'running', Lock: 'lock' } as const;
export const RecordKind = {
  Execution: 'execution',
  Audit: 'audit',
  Lock: 'lock',
  Rejection: 'rejection',
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: TABLE.dueIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.dueIndex.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.dueIndex.name,
        KeySchema: [
          { AttributeName: TABLE.dueIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.dueIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}
