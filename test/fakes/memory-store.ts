/**
 * ExecutionStore in memory, with the same conditional-write semantics as the DynamoDB adapter:
 * a change applies whole or not at all, each item at its expected version. It counts reads and
 * writes so tests can assert on cost.
 */
import { shardOf } from '../../functions/adapters/dynamodb/shard.js';
import type { AuditEventRequest } from '../../functions/core/audit-event.js';
import type { Execution } from '../../functions/core/execution.js';
import { type ExecutionId, executionKey } from '../../functions/core/execution-id.js';
import { type Lock, lockDueAt } from '../../functions/core/lock.js';
import type { Census, ExecutionStore, Page, Rejection, RunningEntry } from '../../functions/core/ports.js';
import type { StateChange, WriteResult } from '../../functions/core/state-change.js';

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryStore implements ExecutionStore {
  readonly executions = new Map<string, Execution>();
  readonly locks = new Map<string, Lock>();
  readonly audit: AuditEventRequest[] = [];
  readonly rejections: Rejection[] = [];
  /** By `cluster#shard`. */
  readonly sweepPoints = new Map<string, string>();
  /** Fewer shards than DynamoDB's, so that tests see several items share one. */
  readonly dueShards: number;
  /** The shard of an item: a stable hash of its key, like the table's (shard.ts). */
  readonly shardOf: (key: string) => number;

  constructor(dueShards = 4) {
    this.dueShards = dueShards;
    this.shardOf = (key) => shardOf(key) % dueShards;
  }
  /** `writes` are state changes; the sweep's bookkeeping is counted apart. */
  readonly counts = { reads: 0, writes: 0, itemsRead: 0, sweepPointWrites: 0 };
  /** Called before each write; throw from it to inject a crash or a DynamoDB fault. */
  beforeWrite?: (change: StateChange) => void;

  async read(id: ExecutionId): Promise<Execution | undefined> {
    this.counts.reads++;
    const found = this.executions.get(executionKey(id));
    if (found) this.counts.itemsRead++;
    return found && clone(found);
  }

  async readLock(key: string): Promise<Lock | undefined> {
    this.counts.reads++;
    const found = this.locks.get(key);
    if (found) this.counts.itemsRead++;
    return found && clone(found);
  }

  async write(change: StateChange): Promise<WriteResult> {
    this.beforeWrite?.(change);
    this.counts.writes++;
    for (const { next, expectVersion } of change.executions ?? []) {
      const current = this.executions.get(executionKey(next.id));
      if ((current?.version ?? 0) !== expectVersion) return { ok: false, conflict: 'execution' };
    }
    if (change.lock) {
      const key = change.lock.op === 'put' ? change.lock.lock.key : change.lock.key;
      const current = this.locks.get(key);
      const expected = change.lock.expectVersion;
      const matches = expected === 'absent' ? !current : current?.version === expected;
      if (!matches) return { ok: false, conflict: 'lock' };
    }
    for (const { next, expectVersion } of change.executions ?? []) {
      this.executions.set(executionKey(next.id), clone({ ...next, version: expectVersion + 1 }));
    }
    if (change.lock?.op === 'put') this.locks.set(change.lock.lock.key, clone(change.lock.lock));
    if (change.lock?.op === 'delete') this.locks.delete(change.lock.key);
    this.audit.push(...clone(change.audit ?? []));
    return { ok: true };
  }

  async recordRejection(rejection: Rejection): Promise<void> {
    this.counts.writes++;
    this.rejections.push(clone(rejection));
  }

  async running(cluster: string, shard: number, limit: number, cursor?: string): Promise<Page<RunningEntry>> {
    const all = [...this.executions.values()]
      .filter(
        (e) =>
          e.status.phase === 'Running' &&
          e.id.cluster === cluster &&
          this.shardOf(executionKey(e.id)) === shard,
      )
      .sort((a, b) => (a.status.startTime ?? '').localeCompare(b.status.startTime ?? ''))
      .map(
        (e): RunningEntry => ({
          id: e.id,
          runName: e.status.pipelineRunRef?.name ?? '',
          summary: e.status.pipelineRunStatus,
        }),
      );
    return this.page(all, limit, cursor);
  }

  async dueLocks(
    cluster: string,
    shard: number,
    now: Date,
    limit: number,
    cursor?: string,
  ): Promise<Page<string>> {
    const all = [...this.locks.values()]
      .filter((l) => {
        const at = lockDueAt(l);
        return (
          at !== undefined &&
          at <= now.toISOString() &&
          l.cluster === cluster &&
          this.shardOf(l.key) === shard
        );
      })
      .sort((a, b) => (lockDueAt(a) ?? '').localeCompare(lockDueAt(b) ?? ''))
      .map((l) => l.key);
    return this.page(all, limit, cursor);
  }

  async census(cluster: string): Promise<Census> {
    this.counts.reads++;
    const running = [...this.executions.values()].filter(
      (e) => e.status.phase === 'Running' && e.id.cluster === cluster,
    ).length;
    const locksHeld = [...this.locks.values()].filter((l) => l.cluster === cluster).length;
    return { running, locksHeld };
  }

  async sweepPoint(cluster: string, shard: number): Promise<string | undefined> {
    this.counts.reads++;
    return this.sweepPoints.get(`${cluster}#${shard}`);
  }

  async saveSweepPoint(cluster: string, shard: number, cursor: string | undefined): Promise<void> {
    this.counts.sweepPointWrites++;
    if (cursor === undefined) this.sweepPoints.delete(`${cluster}#${shard}`);
    else this.sweepPoints.set(`${cluster}#${shard}`, cursor);
  }

  private page<T>(all: T[], limit: number, cursor?: string): Page<T> {
    this.counts.reads++;
    const start = cursor ? Number(cursor) : 0;
    const items = all.slice(start, start + limit).map(clone);
    this.counts.itemsRead += items.length;
    const end = start + items.length;
    return { items, cursor: end < all.length ? String(end) : undefined };
  }

  /** An execution by namespace and name, in whichever cluster it is unless one is named. */
  execution(namespace: string, name: string, cluster?: string): Execution | undefined {
    if (cluster !== undefined) return this.executions.get(executionKey({ cluster, namespace, name }));
    return [...this.executions.values()].find((e) => e.id.namespace === namespace && e.id.name === name);
  }
}
