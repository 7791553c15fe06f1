/**
 * What the local progress view shows about each execution: phase, target, what its lock is doing,
 * and how much of its audit trail has reached DataStorage (outbox records written vs events
 * DataStorage's query endpoint returns for it), plus whether an example reached its expected end.
 */

import type { TableListing } from '../../functions/adapters/dynamodb/listing.js';
import { correlationId } from '../../functions/core/correlation.js';
import type { Execution } from '../../functions/core/execution.js';
import { executionKey } from '../../functions/core/execution-id.js';
import type { Lock } from '../../functions/core/lock.js';
import type { Example } from './examples.js';

export interface ExecutionProgress {
  key: string;
  phase: string;
  target: string;
  /** What the lock is doing: `state` for logs (changes rarely), `text` for the live view (counts down). */
  lock: { state: string; text: string };
  audit: { recorded: number; delivered: number };
  /** Failure reason, or why it has not been submitted yet. */
  detail: string;
  /** For examples: the expected end, and whether it has been reached. */
  expect?: { text: string; reached: boolean };
}

export interface ProgressSources {
  listing: TableListing;
  /** The local system's clusters, whose executions and locks are shown. */
  clusters: readonly string[];
  dataStorageUrl: string;
  examples: Example[];
  /** Examples not submitted yet, with what they wait for. */
  waiting(): { example: Example; reason: string }[];
  now(): Date;
}

function lockOf(execution: Execution, lock: Lock | undefined, now: Date): ExecutionProgress['lock'] {
  const { status } = execution;
  const same = (state: string) => ({ state, text: state });
  if (lock?.state === 'cooling') {
    const left = Math.max(0, Math.ceil((Date.parse(lock.releaseAt ?? '') - now.getTime()) / 1000));
    const until = lock.releaseAt?.slice(11, 19) ?? '?';
    return { state: `cooling until ${until}`, text: left > 0 ? `cooling, free in ${left}s` : 'cooling, due' };
  }
  if (lock) return same(`held (${lock.state})`);
  if (status.conditions.LockReleased) return same('released');
  if (status.phase === 'Pending' && status.conditions.CooldownActive?.status === 'True')
    return same('waiting for cooldown');
  if (status.failureDetails?.reason === 'Deduplicated') return same('busy: not taken');
  return same('-');
}

function detailText(execution: Execution): string {
  const { status } = execution;
  if (status.deduplicatedBy) return `deduplicated by ${status.deduplicatedBy}`;
  if (status.failureDetails) return status.failureDetails.reason;
  return '';
}

const expectedEnd = (example: Example) =>
  [example.expect?.phase, example.expect?.reason].filter(Boolean).join(' ');

export function expectationMet(example: Example, execution: Execution | undefined): boolean {
  if (!example.expect || !execution) return false;
  if (execution.status.phase !== example.expect.phase) return false;
  return !example.expect.reason || execution.status.failureDetails?.reason === example.expect.reason;
}

/** Events DataStorage holds for this execution (its correlation id, then its own name). */
async function deliveredCount(url: string, execution: Execution): Promise<number> {
  const correlation = correlationId({
    metadata: { name: execution.id.name, labels: execution.manifest?.metadata.labels },
    spec: execution.manifest?.spec,
  });
  const query = new URL('/api/v1/audit/events', url);
  query.searchParams.set('correlation_id', correlation);
  query.searchParams.set('limit', '1000');
  const response = await fetch(query, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`DataStorage query answered ${response.status}`);
  const page = (await response.json()) as { data?: { resource_id?: string; namespace?: string }[] };
  return (page.data ?? []).filter(
    (e) =>
      e.resource_id === execution.id.name &&
      (e.namespace ?? execution.id.namespace) === execution.id.namespace,
  ).length;
}

export class ProgressTracker {
  /** Delivered counts already seen complete are not asked for again until more records appear. */
  private readonly delivered = new Map<string, number>();

  constructor(private readonly sources: ProgressSources) {}

  async snapshot(): Promise<ExecutionProgress[]> {
    const { listing, examples, clusters } = this.sources;
    const now = this.sources.now();
    const [{ items: executions }, { items: locks }] = await Promise.all([
      listing.executions({ clusters }),
      listing.locks({ clusters }),
    ]);
    const byHolder = new Map(locks.map((l) => [executionKey(l.holder), l]));
    const byKey = new Map(executions.map((e) => [executionKey(e.id), e]));
    const exampleByKey = new Map(examples.map((e) => [executionKey(e.id), e]));

    const rows: ExecutionProgress[] = [];
    for (const execution of executions) {
      const key = executionKey(execution.id);
      const recorded = (await listing.auditRecords(execution.id)).length;
      let delivered = this.delivered.get(key) ?? 0;
      if (delivered < recorded) {
        delivered = await deliveredCount(this.sources.dataStorageUrl, execution).catch(() => delivered);
        this.delivered.set(key, delivered);
      }
      const example = exampleByKey.get(key);
      rows.push({
        key,
        phase: execution.status.phase,
        target: execution.target,
        lock: lockOf(execution, byHolder.get(key), now),
        audit: { recorded, delivered },
        detail: detailText(execution),
        ...(example?.expect
          ? {
              expect: {
                text: expectedEnd(example),
                reached: expectationMet(example, execution) && delivered >= recorded,
              },
            }
          : {}),
      });
    }
    for (const { example, reason } of this.sources.waiting()) {
      const key = executionKey(example.id);
      if (byKey.has(key)) continue;
      rows.push({
        key,
        phase: 'not submitted',
        target: example.manifest.spec.targetResource,
        lock: { state: '-', text: '-' },
        audit: { recorded: 0, delivered: 0 },
        detail: reason,
        ...(example.expect ? { expect: { text: expectedEnd(example), reached: false } } : {}),
      });
    }
    return rows;
  }
}
