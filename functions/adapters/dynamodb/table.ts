/**
 * The one definition of the state table, used by the CDK app (infra/) and by the local engines
 * (DynamoDB Local in tests and `npm start`).
 *
 * Items, all keyed by pk + sk:
 *   execution  pk EXEC#<namespace>/<name>          sk STATE
 *   audit      pk EXEC#<namespace>/<name>          sk AUDIT#<event_timestamp>#<event_type>   (the outbox; TTL)
 *   lock       pk LOCK#<cluster>#<targetResource>  sk LOCK
 *   rejection  pk REJECTED#<dead letter's message id> sk REJECTED                              (TTL)
 *   sweep      pk SWEEP#due#<shard>                sk SWEEP    (where the sweep of one shard resumes)
 * The sparse `dueByShard` index holds only what the sweep must look at: Running executions
 * (dueShard "running#07", dueAt = start) and locks whose lease or cooldown will end (dueShard
 * "lock#03", dueAt = when). Each item's shard comes from its own key (shard.ts), so a burst of
 * requests spreads its index writes over 2 × SHARDS key values instead of two.
 *
 * The listing indexes serve the operator's listings (`wfe list`, `wfe locks`, `wfe rejections`)
 * without a Scan: one per way of asking (every item of a kind, a namespace, a phase, a namespace
 * and a phase, a target), all sorted by `listOrder` (an execution's creation time, a lock's
 * target, a rejection's time). Their key values are sharded (shard.ts), so no value takes more
 * than a sixteenth of a kind's writes. They project keys only: an entry is written when its key
 * changes (an execution's phase), not at each of the item's writes, and a listing reads the items
 * themselves with BatchGetItem; items.ts builds the values.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  dueIndex: {
    name: 'dueByShard',
    partitionKey: 'dueShard',
    sortKey: 'dueAt',
    /**
     * Only what the sweep decides on without reading the item: whose execution it is, its run's name
     * and the run summary last recorded (compared with the run the cluster lists). Everything else
     * is read from the item when there is something to write. A lock's entry is its keys alone: a
     * lock due is read whole (consistently) before it is settled, so the lock's writes that keep its
     * due time (acquired → running) write nothing to the index, and every index entry stays one WCU
     * where the whole execution with its manifest would take several.
     */
    projected: ['namespace', 'name', 'runName', 'runSummary'],
  },
  listIndexes: {
    kind: { name: 'list-kind', partitionKey: 'listKind' },
    namespace: { name: 'list-namespace', partitionKey: 'listNamespace' },
    phase: { name: 'list-phase', partitionKey: 'listPhase' },
    namespacePhase: { name: 'list-namespace-phase', partitionKey: 'listNamespacePhase' },
    target: { name: 'list-target', partitionKey: 'listTarget' },
  },
  /** The sort key of every listing index. */
  listOrder: 'listOrder',
  ttlAttribute: 'expiresAt',
  /** The attribute the stream filter and the forwarder use to tell audit records from the rest. */
  recordKindAttribute: 'kind',
} as const;

export const DueKind = { Running: 'running', Lock: 'lock' } as const;
export type DueKind = (typeof DueKind)[keyof typeof DueKind];
export const RecordKind = {
  Execution: 'execution',
  Audit: 'audit',
  Lock: 'lock',
  Rejection: 'rejection',
  SweepPoint: 'sweep-point',
} as const;

export type ListIndex = keyof typeof TABLE.listIndexes;

const listIndexes = Object.values(TABLE.listIndexes);

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: TABLE.dueIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.dueIndex.sortKey, AttributeType: 'S' },
      ...listIndexes.map((index) => ({ AttributeName: index.partitionKey, AttributeType: 'S' as const })),
      { AttributeName: TABLE.listOrder, AttributeType: 'S' },
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
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TABLE.dueIndex.projected] },
      },
      ...listIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: TABLE.listOrder, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
      })),
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}
