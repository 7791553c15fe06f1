/**
 * Item ⇄ domain mapping for the state table. Attribute names live here and nowhere else.
 */

import { createHash } from 'node:crypto';
import type { AuditEventRequest } from '../../core/audit-event.js';
import { bounded } from '../../core/bounded-text.js';
import type { Execution } from '../../core/execution.js';
import { type ExecutionId, executionKey } from '../../core/execution-id.js';
import { type Lock, lockDueAt } from '../../core/lock.js';
import type { Rejection, RunningEntry } from '../../core/ports.js';
import { itemBytes, MAX_ITEM_BYTES } from './item-size.js';
import { shardKey, shardOf } from './shard.js';
import { DueKind, type ListIndex, RecordKind, TABLE } from './table.js';

/** Outbox records are garbage-collected by TTL this long after they are written. */
const AUDIT_RETENTION_SECONDS = 30 * 24 * 3600;
/** A rejection's reason lives as long as its dead letter can (SQS's longest retention). */
const REJECTION_RETENTION_SECONDS = 14 * 24 * 3600;

export const executionPk = (id: ExecutionId) => `EXEC#${executionKey(id)}`;
export const EXECUTION_SK = 'STATE';
export const lockPk = (key: string) => `LOCK#${key}`;
export const LOCK_SK = 'LOCK';

export type Item = Record<string, unknown>;

/**
 * What a listing narrows by; each listing index is keyed by some of these (LIST_INDEX_FIELDS), and
 * an execution's or a lock's always by its cluster first (WE-16).
 */
export interface ListScope {
  cluster: string;
  namespace: string;
  phase: string;
  target: string;
}

/** The fields in each listing index's key, after the record kind and its cluster and before the shard. */
const LIST_INDEX_FIELDS: Record<ListIndex, readonly Exclude<keyof ListScope, 'cluster'>[]> = {
  kind: [],
  namespace: ['namespace'],
  phase: ['phase'],
  namespacePhase: ['namespace', 'phase'],
  target: ['target'],
};

/**
 * DynamoDB caps an index's partition key at 2,048 bytes and its sort key at 1,024; stored text
 * the system did not check (a refused request's target) may be longer, so a long part is replaced
 * by its hash, the same on the write and the read side.
 */
const MAX_KEY_PART_BYTES = 400;
const keyPart = (text: string) =>
  Buffer.byteLength(text) <= MAX_KEY_PART_BYTES
    ? text
    : `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

/**
 * A listing index's key value for items of `kind` in `scope`, in one shard:
 * `execution#east#payment#Running#07` (a rejection has no cluster: `rejection#07`).
 */
export function listPartition(
  kind: string,
  index: ListIndex,
  scope: Partial<ListScope>,
  shard: number,
): string {
  const cluster = scope.cluster === undefined ? [] : [keyPart(scope.cluster)];
  const parts = LIST_INDEX_FIELDS[index].map((field) => keyPart(scope[field] ?? ''));
  return shardKey([kind, ...cluster, ...parts].join('#'), shard);
}

/** The listing index attributes of an item of `kind`: one per index in `indexes`, and its sort key. */
function listKeys(
  kind: string,
  pk: string,
  indexes: readonly ListIndex[],
  scope: Partial<ListScope>,
  order: string,
): Item {
  const shard = shardOf(pk);
  const keys: Item = { [TABLE.listOrder]: order };
  for (const index of indexes)
    keys[TABLE.listIndexes[index].partitionKey] = listPartition(kind, index, scope, shard);
  return keys;
}

const EXECUTION_LIST_INDEXES: readonly ListIndex[] = [
  'kind',
  'namespace',
  'phase',
  'namespacePhase',
  'target',
];
/** A lock is listed in its holder's namespace. */
const LOCK_LIST_INDEXES: readonly ListIndex[] = ['kind', 'namespace', 'target'];
const REJECTION_LIST_INDEXES: readonly ListIndex[] = ['kind'];

/** Executions are listed oldest first, then by namespace/name. */
const executionOrder = (execution: Execution) =>
  `${execution.createdAt} ${keyPart(executionKey(execution.id))}`;
/** Locks are listed by target, then cluster. */
const lockOrder = (lock: Lock) => `${keyPart(lock.target)} ${keyPart(lock.cluster)}`;
/** Rejections are listed oldest first. */
const rejectionOrder = (rejection: Rejection) => `${rejection.at} ${keyPart(rejection.messageId)}`;

/** The due index's partition key value of one cluster's shard of a kind: `running#east#07`. */
export const dueShardKey = (kind: DueKind, cluster: string, shard: number) =>
  shardKey(`${kind}#${keyPart(cluster)}`, shard);

/** The due index's partition key value of an item: its kind, its cluster and the shard its own key falls in. */
export const dueShardOf = (kind: DueKind, cluster: string, pk: string) =>
  dueShardKey(kind, cluster, shardOf(pk));

/**
 * A Running execution's entry in the due index: its start (which never moves while it runs), its
 * run's name and the summary last recorded, which the sweep compares with the run it lists.
 */
function runningDue(execution: Execution, pk: string, now: Date): Item {
  const { status } = execution;
  if (status.phase !== 'Running') return {};
  return {
    [TABLE.dueIndex.partitionKey]: dueShardOf(DueKind.Running, execution.id.cluster, pk),
    [TABLE.dueIndex.sortKey]: status.startTime ?? now.toISOString(),
    runName: status.pipelineRunRef?.name,
    runSummary: status.pipelineRunStatus,
  };
}

export function executionItem(execution: Execution, version: number, now: Date): Item {
  const { status } = execution;
  const pk = executionPk(execution.id);
  const item: Item = {
    pk,
    sk: EXECUTION_SK,
    [TABLE.recordKindAttribute]: RecordKind.Execution,
    cluster: execution.id.cluster,
    namespace: execution.id.namespace,
    name: execution.id.name,
    target: execution.target,
    specHash: execution.specHash,
    manifest: execution.manifest,
    rejectedRequest:
      execution.rejectedRequest === undefined ? undefined : JSON.stringify(execution.rejectedRequest),
    phase: status.phase,
    status,
    version,
    createdAt: execution.createdAt,
    updatedAt: now.toISOString(),
    ...runningDue(execution, pk, now),
    ...listKeys(
      RecordKind.Execution,
      pk,
      EXECUTION_LIST_INDEXES,
      {
        cluster: execution.id.cluster,
        namespace: execution.id.namespace,
        phase: status.phase,
        target: execution.target,
      },
      executionOrder(execution),
    ),
  };
  return withinItemLimit(item);
}

/**
 * A rejected request is kept for `wfe get` as far as the item has room: it is the one part of an
 * execution that can be shrunk, and its end must be recordable whatever was sent.
 */
function withinItemLimit(item: Item): Item {
  const excess = itemBytes(item) - MAX_ITEM_BYTES;
  if (excess <= 0 || typeof item.rejectedRequest !== 'string') return item;
  const text = item.rejectedRequest;
  // A UTF-16 unit is at most 3 bytes in UTF-8; the slack holds the marker.
  const room = Math.max(0, Buffer.byteLength(text) - excess - 256);
  return { ...item, rejectedRequest: bounded(text, Math.floor(room / 3)) };
}

export function toExecution(item: Item): Execution {
  return {
    id: { cluster: item.cluster as string, namespace: item.namespace as string, name: item.name as string },
    manifest: item.manifest as Execution['manifest'],
    rejectedRequest:
      typeof item.rejectedRequest === 'string' ? parsedOrText(item.rejectedRequest) : undefined,
    specHash: item.specHash as string,
    target: item.target as string,
    status: item.status as Execution['status'],
    createdAt: item.createdAt as string,
    version: Number(item.version),
  };
}

/** A rejected request cut to fit its item is no longer JSON: it is shown as the text it is. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An index entry of a Running execution of `cluster`, whose due key it was found under (projected attributes only). */
export function toRunningEntry(item: Item, cluster: string): RunningEntry {
  return {
    id: { cluster, namespace: item.namespace as string, name: item.name as string },
    runName: item.runName as string,
    summary: item.runSummary as RunningEntry['summary'],
  };
}

export function lockItem(lock: Lock): Item {
  const dueAt = lockDueAt(lock);
  const pk = lockPk(lock.key);
  return {
    pk,
    sk: LOCK_SK,
    [TABLE.recordKindAttribute]: RecordKind.Lock,
    key: lock.key,
    cluster: lock.cluster,
    target: lock.target,
    holderNamespace: lock.holder.namespace,
    holderName: lock.holder.name,
    token: lock.token,
    version: lock.version,
    pipelineRunName: lock.pipelineRunName,
    state: lock.state,
    acquiredAt: lock.acquiredAt,
    leaseUntil: lock.leaseUntil,
    releaseAt: lock.releaseAt,
    ...(dueAt
      ? {
          [TABLE.dueIndex.partitionKey]: dueShardOf(DueKind.Lock, lock.cluster, pk),
          [TABLE.dueIndex.sortKey]: dueAt,
        }
      : {}),
    ...listKeys(
      RecordKind.Lock,
      pk,
      LOCK_LIST_INDEXES,
      { cluster: lock.cluster, namespace: lock.holder.namespace, target: lock.target },
      lockOrder(lock),
    ),
  };
}

/** A lock's key from its index entry, which holds the table keys only. */
export const lockKeyOf = (item: Item) => String(item.pk).slice(lockPk('').length);

export const sweepPointKey = (cluster: string, shard: number) => ({
  pk: `SWEEP#${shardKey(`due#${keyPart(cluster)}`, shard)}`,
  sk: 'SWEEP',
});

export function sweepPointItem(cluster: string, shard: number, cursor: string): Item {
  return {
    ...sweepPointKey(cluster, shard),
    [TABLE.recordKindAttribute]: RecordKind.SweepPoint,
    cluster,
    shard,
    cursor,
  };
}

export function toLock(item: Item): Lock {
  return {
    key: item.key as string,
    cluster: item.cluster as string,
    target: item.target as string,
    holder: {
      cluster: item.cluster as string,
      namespace: item.holderNamespace as string,
      name: item.holderName as string,
    },
    token: Number(item.token),
    version: Number(item.version),
    pipelineRunName: item.pipelineRunName as string,
    state: item.state as Lock['state'],
    acquiredAt: item.acquiredAt as string,
    leaseUntil: item.leaseUntil as string | undefined,
    releaseAt: item.releaseAt as string | undefined,
  };
}

/** An outbox record: the stream carries its INSERT to the audit forwarder. */
export function auditItem(event: AuditEventRequest): Item {
  const id = { cluster: event.cluster_name, namespace: event.namespace, name: event.resource_id };
  return {
    pk: executionPk(id),
    sk: `AUDIT#${event.event_timestamp}#${event.event_type}`,
    [TABLE.recordKindAttribute]: RecordKind.Audit,
    event,
    expiresAt: Math.floor(Date.parse(event.event_timestamp) / 1000) + AUDIT_RETENTION_SECONDS,
  };
}

export const isAuditItem = (item: Item) => item[TABLE.recordKindAttribute] === RecordKind.Audit;

/** An outbox record's event as stored, unchecked: the forwarder checks it against DataStorage's contract. */
export const auditEventOf = (item: Item): unknown => item.event;

export const REJECTION_SK = 'REJECTED';

const rejectionPk = (messageId: string) => `REJECTED#${messageId}`;

export function rejectionItem(rejection: Rejection): Item {
  const pk = rejectionPk(rejection.messageId);
  return {
    pk,
    sk: REJECTION_SK,
    [TABLE.recordKindAttribute]: RecordKind.Rejection,
    messageId: rejection.messageId,
    reason: rejection.reason,
    bytes: rejection.bytes,
    at: rejection.at,
    expiresAt: Math.floor(Date.parse(rejection.at) / 1000) + REJECTION_RETENTION_SECONDS,
    ...listKeys(RecordKind.Rejection, pk, REJECTION_LIST_INDEXES, {}, rejectionOrder(rejection)),
  };
}

export function toRejection(item: Item): Rejection {
  return {
    messageId: item.messageId as string,
    reason: item.reason as string,
    bytes: Number(item.bytes),
    at: item.at as string,
  };
}
