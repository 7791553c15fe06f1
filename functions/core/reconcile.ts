/**
 * The reconcile use case, run on a schedule: follow Running executions to their end (WE-6), release
 * locks whose cooldown has ended (WE-7), and free locks whose run was never created (WE-8).
 *
 * The work is spread over shards (ExecutionStore.dueShards); a sweep covers some of them, each
 * shard by one pass of each kind:
 *  1. Sync: for each Running execution of the shard (an index query), its PipelineRun as the sweep's
 *     LIST of the system's runs shows it (a GET for one the LIST did not show). Succeeded → Completed,
 *     failed → Failed with classified details, gone → Failed "deleted externally", otherwise refresh
 *     the summary if it changed. Each end is one transaction: execution, audit record, lock cooldown.
 *  2. Release: for each lock due (an index query): cooling and past its cooldown → delete the holder's
 *     run (only if still the holder's), delete the lock, mark LockReleased; acquired past its lease →
 *     adopt the run if it exists, else fail the execution and free the lock; running past its check
 *     time → start the cooldown if the holder has ended.
 * Work is bounded per invocation (page size, item budget, time left); every write is conditional,
 * so overlapping invocations cannot record anything twice. Cost follows what is due, not history.
 * An item that fails is left for the next sweep while the others go on (see sweep()).
 */
import { auditEvent } from './audit-event.js';
import { clusterMetrics, type FleetSettings, type Place, placeOf } from './clusters.js';
import { formatDuration } from './duration.js';
import { ClusterUnavailableError } from './errors.js';
import { type Execution, isTerminal, type PipelineRunStatusSummary } from './execution.js';
import { executionKey } from './execution-id.js';
import { executionLogKeys } from './execution-log.js';
import { coolingLock, type Lock, lockDueAt, lockStates, runningLock, sameExecution } from './lock.js';
import { armLockTimer } from './lock-timer.js';
import { MetricName } from './metric-name.js';
import { isOwnedBy, pipelineRunName } from './pipeline-run.js';
import type {
  Clock,
  Clusters,
  ExecutionStore,
  Log,
  Metrics,
  RunningEntry,
  RunState,
  SweepMessage,
  SweepQueue,
  TimerQueue,
} from './ports.js';
import { countCompletedTasks, deletedExternally, failureDetails, runOutcome } from './run-status.js';
import type { StateChange } from './state-change.js';
import { lockKey } from './target.js';
import {
  runningRefreshed,
  startTimeOf,
  toCompleted,
  toFailedBeforeExecution,
  toFailedRun,
  toRunning,
  withLockReleased,
} from './transitions.js';
import { recordWorkflowEvent } from './workflow-events.js';

export interface ReconcileSettings extends FleetSettings {
  cooldownMs: number;
  leaseMs: number;
}

export interface ReconcileBudget {
  pageSize: number;
  /** Running executions synced per invocation, at most (over all the shards it sweeps). */
  maxItems: number;
  /** Due locks settled per invocation, at most (default maxItems): release's own, so a long sync never starves it. */
  maxReleases?: number;
  /** Milliseconds this invocation may still use; work stops with time to spare. */
  timeLeftMs(): number;
}

export interface ReconcileDeps {
  store: ExecutionStore;
  clusters: Clusters;
  clock: Clock;
  metrics: Metrics;
  log: Log;
  settings: ReconcileSettings;
  budget: ReconcileBudget;
  /** Where a lock's timer goes once it has a due time (WE-13); absent, the sweep alone frees locks. */
  timers?: TimerQueue;
}

/**
 * What the per-execution and per-lock steps need: the sweep's dependencies without its budget,
 * and what brought them (the delay metrics tell the event path from the sweep).
 */
export type SyncDeps = Omit<ReconcileDeps, 'budget'> & { trigger?: 'event' | 'timer' };

export interface ReconcileReport {
  synced: number;
  completed: number;
  failed: number;
  released: number;
  stuck: number;
  skipped: number;
  /** Items that threw: left for the next sweep while the others went on (the poison-item metric and alarm). */
  itemFailures: number;
}

const SAFETY_MARGIN_MS = 5_000;
/** The resume point of a shard whose sync pass stopped short on its first page (or never began). */
const FROM_THE_START = '';

export const emptyReport = (): ReconcileReport => ({
  synced: 0,
  completed: 0,
  failed: 0,
  released: 0,
  stuck: 0,
  skipped: 0,
  itemFailures: 0,
});

/** One cluster's shard of the due work: what one sweep message names. */
export interface SweepUnit {
  cluster: string;
  shard: number;
}

/** Every cluster's every shard of the store's due work, for a sweep that covers all of them in one invocation. */
export const allUnitsOf = (store: ExecutionStore, fleet: FleetSettings): SweepUnit[] =>
  fleet.clusters.flatMap(({ name }) =>
    Array.from({ length: store.dueShards }, (_, shard) => ({ cluster: name, shard })),
  );

/**
 * The scheduled fan-out: one message per cluster × shard, so they are swept side by side by the
 * queue's workers and a cluster that times out delays only its own messages (WE-16).
 */
export async function fanOut(
  store: ExecutionStore,
  queue: SweepQueue,
  fleet: FleetSettings,
): Promise<number> {
  const units = allUnitsOf(store, fleet);
  await queue.send(units.map((unit) => ({ kind: 'sweep', ...unit })));
  return units.length;
}

/** The gauges' period: the dashboard reads them a minute at a time. */
export const CENSUS_PERIOD_MS = 60_000;

/**
 * The dashboard's gauges: how many executions are Running and how many locks are held now, counted
 * from the sweep's index (so the figure holds however the work is spread). At most once a period
 * per instance: a schedule faster than the dashboard's minute (locally, every second) would only
 * repeat the count. A census that fails is a gap on a graph; the sweep never waits on it.
 */
export function censusTaker(deps: Pick<ReconcileDeps, 'store' | 'metrics' | 'log' | 'clock' | 'settings'>) {
  let takenAt: number | undefined;
  return async function publishCensus(): Promise<void> {
    const now = deps.clock.now().getTime();
    if (takenAt !== undefined && now - takenAt < CENSUS_PERIOD_MS) return;
    takenAt = now;
    await Promise.all(
      deps.settings.clusters.map(async ({ name }) => {
        try {
          const { running, locksHeld } = await deps.store.census(name);
          const metrics = clusterMetrics(deps.metrics, name);
          metrics.add(MetricName.ExecutionsRunning, 'Count', running);
          metrics.add(MetricName.LocksHeld, 'Count', locksHeld);
        } catch (error) {
          deps.log.warn('census not counted', { cluster: name, error: String(error) });
        }
      }),
    );
  };
}

/** A sweep queue message's cluster and shard, or undefined when the body is not one (no retry can make it one). */
export function parseSweepMessage(
  body: string,
  store: ExecutionStore,
  fleet: FleetSettings,
): SweepUnit | undefined {
  try {
    const { kind, cluster, shard } = JSON.parse(body) as Partial<SweepMessage>;
    return kind === 'sweep' &&
      fleet.clusters.some((c) => c.name === cluster) &&
      Number.isInteger(shard) &&
      shard! >= 0 &&
      shard! < store.dueShards
      ? { cluster: cluster!, shard: shard! }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The whole sweep in one invocation: every cluster's every shard, one after another. */
export function reconcile(deps: ReconcileDeps, report: ReconcileReport = emptyReport()) {
  return sweep(allUnitsOf(deps.store, deps.settings), deps, report);
}

/**
 * One sweep of some clusters' shards (a worker's message names one). An item that throws is logged,
 * counted (the poison-item metric, alarmed) and left for the next sweep while the others go on, so
 * an item that fails every time never blocks its shard. A cluster that is unavailable stops the
 * sweep of that cluster at once (every other item of it would wait on it too) while the other
 * clusters' shards go on; the sweep then throws it, so its message is retried. `report` is filled
 * as the sweep goes.
 * The sync pass has its own item budget and half the time; release has the rest, so locks whose
 * cooldown has ended are released however many executions are running. Where a shard's sync pass
 * stops short (budget, time, or a throw) is stored, and the next sweep of that shard resumes there,
 * whichever worker runs it.
 */
export async function sweep(
  units: SweepUnit[],
  deps: ReconcileDeps,
  report: ReconcileReport = emptyReport(),
): Promise<ReconcileReport> {
  const { budget } = deps;
  let synced = 0;
  let settled = 0;
  const syncUntilMs = SAFETY_MARGIN_MS + (budget.timeLeftMs() - SAFETY_MARGIN_MS) / 2;
  const canSync = () => synced < budget.maxItems && budget.timeLeftMs() > syncUntilMs;
  const canRelease = () =>
    settled < (budget.maxReleases ?? budget.maxItems) && budget.timeLeftMs() > SAFETY_MARGIN_MS;
  const unitDeps = new Map<string, SyncDeps>();
  const depsOf = (cluster: string): SyncDeps => {
    let found = unitDeps.get(cluster);
    if (!found) {
      found = {
        ...deps,
        metrics: clusterMetrics(deps.metrics, cluster),
        log: deps.log.with({ cluster }),
      };
      unitDeps.set(cluster, found);
    }
    return found;
  };
  const isolated = async (cluster: string, item: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      if (err instanceof ClusterUnavailableError) throw err;
      report.itemFailures++;
      const { metrics, log } = depsOf(cluster);
      metrics.add(MetricName.SweepItemFailures, 'Count', 1);
      log.warn('reconcile could not handle an item; the next sweep retries it', {
        item,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  };
  // A cluster that is down is skipped for the rest of the sweep; the others go on.
  const down = new Map<string, ClusterUnavailableError>();
  const unlessDown = async (cluster: string, work: () => Promise<void>) => {
    if (down.has(cluster)) return;
    try {
      await work();
    } catch (err) {
      if (!(err instanceof ClusterUnavailableError)) throw err;
      down.set(cluster, err);
      depsOf(cluster).log.warn('cluster unavailable; its sweep is retried', { error: err.message });
    }
  };

  // Shards cut short last time go first, so a backlog larger than one sweep's budget rotates
  // through every shard instead of starving those at the end.
  // Each shard's resume point and first page are read side by side: one round trip, not one per shard.
  const stored = await Promise.all(units.map((unit) => deps.store.sweepPoint(unit.cluster, unit.shard)));
  const points = new Map(units.map((unit, i) => [unit, stored[i]]));
  const order = [
    ...units.filter((unit) => points.get(unit) !== undefined),
    ...units.filter((unit) => points.get(unit) === undefined),
  ];
  // Each cluster's runs, listed once per sweep when there is a Running execution of it to look at.
  const runs = new Map<string, Promise<Map<string, RunState>>>();
  const listed = (place: Place) => {
    let found = runs.get(place.name);
    if (!found) {
      found = listRuns(place);
      runs.set(place.name, found);
    }
    return found;
  };
  const firstPages = canSync()
    ? await Promise.all(
        order.map((unit) =>
          deps.store.running(unit.cluster, unit.shard, budget.pageSize, points.get(unit) || undefined),
        ),
      )
    : [];
  for (const [index, unit] of order.entries()) {
    const { cluster, shard } = unit;
    await unlessDown(cluster, async () => {
      const from = points.get(unit);
      // The resume point is the page being synced until the pass ends: a throw resumes there.
      let cursor = from || undefined;
      let finished = false;
      let first = firstPages[index];
      const clusterDeps = depsOf(cluster);
      try {
        pages: while (canSync()) {
          const page = first ?? (await deps.store.running(cluster, shard, budget.pageSize, cursor));
          first = undefined;
          const place = page.items.length > 0 ? placeOf(cluster, deps) : undefined;
          const known = place ? await listed(place) : undefined;
          for (const entry of page.items) {
            if (!canSync()) break pages;
            synced++;
            await isolated(cluster, executionKey(entry.id), () =>
              syncEntry(entry, known?.get(entry.runName), place!, clusterDeps, report),
            );
          }
          cursor = page.cursor;
          if (!cursor) {
            finished = true;
            break;
          }
        }
      } finally {
        const next = finished ? undefined : (cursor ?? FROM_THE_START);
        if (next !== from) await deps.store.saveSweepPoint(cluster, shard, next);
      }
    });
  }

  const now = deps.clock.now();
  const firstLockPages = canRelease()
    ? await Promise.all(
        units.map((unit) => deps.store.dueLocks(unit.cluster, unit.shard, now, budget.pageSize)),
      )
    : [];
  for (const [index, { cluster, shard }] of units.entries()) {
    await unlessDown(cluster, async () => {
      let lockCursor: string | undefined;
      let first = firstLockPages[index];
      locks: do {
        if (!canRelease()) break;
        const page = first ?? (await deps.store.dueLocks(cluster, shard, now, budget.pageSize, lockCursor));
        first = undefined;
        for (const key of page.items) {
          if (!canRelease()) break locks;
          settled++;
          await isolated(cluster, `lock ${key}`, () => settleDueLock(key, depsOf(cluster), report));
        }
        lockCursor = page.cursor;
      } while (lockCursor);
    });
  }
  const [unavailable] = down.values();
  if (unavailable) throw unavailable;
  return report;
}

/** PipelineRuns listed per request: a fleet of 5,000 in 10 requests, each page a few MB at most. */
const RUN_PAGE = 500;

/** One cluster's runs of the system by name, read in pages (a LIST by the system's label). */
async function listRuns(place: Place): Promise<Map<string, RunState>> {
  const runs = new Map<string, RunState>();
  let cursor: string | undefined;
  do {
    const page = await place.cluster.listPipelineRuns(place.namespace, RUN_PAGE, cursor);
    for (const run of page.items) runs.set(run.name, run);
    cursor = page.cursor;
  } while (cursor);
  return runs;
}

/**
 * WE-6 for one entry of the index, with its run as the sweep's LIST showed it. A run the LIST did
 * not show is read on its own before it counts as gone: it may have been created after the LIST
 * began. When the run is still running and its run-level summary is the one recorded, nothing has
 * changed and nothing more is read (no execution, no TaskRun). Otherwise the execution is read (it
 * may have ended meanwhile by its event) and synced with the run as read.
 */
async function syncEntry(
  entry: RunningEntry,
  listed: RunState | undefined,
  place: Place,
  deps: SyncDeps,
  report: ReconcileReport,
): Promise<void> {
  const run = listed ?? (await place.cluster.getPipelineRun(place.namespace, entry.runName));
  if (run && isOwnedBy(run.labels, entry.id)) {
    const outcome = runOutcome(run);
    if (outcome.kind === 'running' && sameRunReport(outcome.summary, entry.summary)) {
      report.synced++;
      return;
    }
  }
  const execution = await deps.store.read(entry.id);
  if (execution?.status.phase !== 'Running') return;
  await syncOne(execution, { ...deps, log: deps.log.with(executionLogKeys(execution)) }, report, { run });
}

/** What the run itself says (no TaskRun counts): the same, and nothing the sweep records can have changed. */
function sameRunReport(a: PipelineRunStatusSummary, b?: PipelineRunStatusSummary): boolean {
  return (
    a.status === b?.status &&
    a.reason === b?.reason &&
    a.message === b?.message &&
    a.totalTasks === b?.totalTasks
  );
}

/** A lock the index lists as due, read again (the index entry holds its keys only, and may lag). */
async function settleDueLock(key: string, deps: SyncDeps, report: ReconcileReport): Promise<void> {
  const lock = await deps.store.readLock(key);
  const at = lock && lockDueAt(lock);
  if (!lock || !at || Date.parse(at) > deps.clock.now().getTime()) return;
  await settleLock(lock, deps, report);
}

/**
 * WE-6 for one Running execution: read its run (unless the caller just read it) and record what it
 * shows. The sweep and the event path both come here, so an event can do nothing the sweep would not.
 */
export async function syncOne(
  execution: Execution,
  deps: SyncDeps,
  report: ReconcileReport,
  known?: { run: RunState | undefined },
): Promise<void> {
  const runName = execution.status.pipelineRunRef?.name;
  if (!runName) return; // Running is only ever written with its run; nothing to follow.
  const place = placeOf(execution.id.cluster, deps);
  const { cluster } = place;
  report.synced++;
  const run = known ? known.run : await cluster.getPipelineRun(place.namespace, runName);
  const now = deps.clock.now();
  const workflow = {
    workflowId: execution.manifest?.spec.workflowRef.workflowId ?? '',
    target: execution.target,
  };

  if (!run || !isOwnedBy(run.labels, execution.id)) {
    const details = deletedExternally({ ...workflow, startTime: execution.status.startTime, now });
    await end(toFailedRun(execution, details, undefined, now, now), 'workflow.failed', place, deps, report);
    return;
  }
  const completedTasks = await countCompletedTasks(cluster, run);
  const outcome = runOutcome(run, completedTasks);
  if (outcome.kind === 'running') {
    const next = runningRefreshed(execution, outcome.summary, outcome.message, now);
    const changed =
      !sameSummary(next.status.pipelineRunStatus, execution.status.pipelineRunStatus) ||
      next.status.conditions.TektonPipelineRunning?.message !==
        execution.status.conditions.TektonPipelineRunning?.message;
    if (changed) await deps.store.write({ executions: [{ next, expectVersion: execution.version }] });
    return;
  }
  // Tekton's completionTime has whole seconds; startTime does not: a run that ended within the second
  // it started would otherwise show completionTime before startTime.
  const reported = outcome.completionTime ? Date.parse(outcome.completionTime) : now.getTime();
  const started = execution.status.startTime ? Date.parse(execution.status.startTime) : reported;
  const completionTime = new Date(Math.max(reported, started));
  if (outcome.kind === 'succeeded') {
    await end(
      toCompleted(execution, outcome.summary, completionTime, now),
      'workflow.completed',
      place,
      deps,
      report,
      reported,
    );
    return;
  }
  const details = await failureDetails(cluster, run, {
    ...workflow,
    startTime: execution.status.startTime,
    now,
  });
  await end(
    toFailedRun(execution, details, outcome.summary, completionTime, now),
    'workflow.failed',
    place,
    deps,
    report,
    reported,
  );
}

/** Field by field: a summary read back from DynamoDB has its keys in another order than a fresh one. */
function sameSummary(a?: PipelineRunStatusSummary, b?: PipelineRunStatusSummary): boolean {
  return (
    a?.status === b?.status &&
    a?.reason === b?.reason &&
    a?.message === b?.message &&
    a?.completedTasks === b?.completedTasks &&
    a?.totalTasks === b?.totalTasks
  );
}

/**
 * Records the end with its audit record, and starts the lock's cooldown if this execution holds it,
 * with a timer for the cooldown's end. `reportedEnd` is when Tekton says the run ended (absent for a
 * run deleted externally), for the end-detection delay.
 */
async function end(
  next: Execution,
  eventType: 'workflow.completed' | 'workflow.failed',
  place: Place,
  deps: SyncDeps,
  report: ReconcileReport,
  reportedEnd?: number,
): Promise<void> {
  const now = deps.clock.now();
  const lock = await deps.store.readLock(lockKey(next.id.cluster, next.target));
  const change: StateChange = {
    executions: [{ next, expectVersion: next.version }],
    audit: [auditEvent(eventType, next, now)],
  };
  const completionTime = new Date(next.status.completionTime ?? now);
  if (lock && sameExecution(lock.holder, next.id) && lock.state !== 'cooling') {
    change.lock = {
      op: 'put',
      lock: coolingLock(lock, completionTime, deps.settings.cooldownMs),
      expectVersion: lock.version,
    };
  }
  const written = await deps.store.write(change);
  if (!written.ok) {
    report.skipped++; // an overlapping invocation got there first; the next tick looks again
    return;
  }
  if (change.lock?.op === 'put') await armLockTimer(change.lock.lock, deps);
  if (reportedEnd !== undefined) {
    deps.metrics.add(
      MetricName.EndDetectionDelay,
      'Seconds',
      Math.max(0, (now.getTime() - reportedEnd) / 1000),
      {
        trigger: deps.trigger ?? 'sweep',
      },
    );
  }
  const outcome = next.status.phase === 'Completed' ? 'Completed' : 'Failed';
  if (outcome === 'Completed') report.completed++;
  else report.failed++;
  const seconds = next.status.startTime
    ? (completionTime.getTime() - Date.parse(next.status.startTime)) / 1000
    : 0;
  deps.metrics.add(MetricName.ReconcilerTotal, 'Count', 1, { outcome });
  deps.metrics.add(MetricName.ReconcilerDuration, 'Seconds', Math.max(0, seconds), { outcome });
  const workflowId = next.manifest?.spec.workflowRef.workflowId ?? '';
  const completed = outcome === 'Completed';
  await recordWorkflowEvent(deps, place, next.status.pipelineRunRef?.name ?? pipelineRunName(next.target), {
    reason: completed ? 'WorkflowCompleted' : 'WorkflowFailed',
    message: completed
      ? `Workflow ${workflowId} completed successfully in ${next.status.duration}`
      : `Workflow ${workflowId} failed: ${next.status.failureDetails?.reason}`,
    type: completed ? 'Normal' : 'Warning',
  });
}

/** WE-7/WE-8 for one due lock; the sweep and the lock's timer both come here. */
export async function settleLock(lock: Lock, deps: SyncDeps, report: ReconcileReport): Promise<void> {
  const holder = await deps.store.read(lock.holder);
  const due = lockStates[lock.state].whenDue;
  if (due === 'release') return release(lock, holder, deps, report);
  if (!holder || isTerminal(holder.status.phase)) {
    // The holder ended (or vanished) without its end reaching the lock: cool down from its end, else from now.
    const ended = holder?.status.completionTime ? new Date(holder.status.completionTime) : deps.clock.now();
    const cooling = coolingLock(lock, ended, deps.settings.cooldownMs);
    const written = await deps.store.write({
      lock: { op: 'put', lock: cooling, expectVersion: lock.version },
    });
    if (written.ok) await armLockTimer(cooling, deps);
    return;
  }
  if (due === 'settle-stuck') return settleStuck(lock, holder, deps, report);
  // Running and still running: look again after another lease.
  await deps.store.write({
    lock: {
      op: 'put',
      lock: runningLock(lock, deps.clock.now(), deps.settings.leaseMs),
      expectVersion: lock.version,
    },
  });
}

/** WE-7: delete the holder's run (never another's), then the lock, and mark the holder LockReleased. */
async function release(lock: Lock, holder: Execution | undefined, deps: SyncDeps, report: ReconcileReport) {
  const now = deps.clock.now();
  const place = placeOf(lock.cluster, deps);
  await place.cluster.deletePipelineRun(place.namespace, lock.pipelineRunName, lock.holder);
  const message = `Lock released for ${lock.target} after cooldown`;
  const change: StateChange = { lock: { op: 'delete', key: lock.key, expectVersion: lock.version } };
  if (holder && !holder.status.conditions.LockReleased) {
    change.executions = [{ next: withLockReleased(holder, message, now), expectVersion: holder.version }];
  }
  const written = await deps.store.write(change);
  if (!written.ok) {
    report.skipped++;
    return;
  }
  report.released++;
  deps.metrics.add(MetricName.LocksReleased, 'Count', 1);
  if (lock.releaseAt) {
    deps.metrics.add(
      MetricName.ReleaseDelay,
      'Seconds',
      Math.max(0, (now.getTime() - Date.parse(lock.releaseAt)) / 1000),
      { trigger: deps.trigger ?? 'sweep' },
    );
  }
  deps.metrics.add(
    MetricName.LockHoldSeconds,
    'Seconds',
    (now.getTime() - Date.parse(lock.acquiredAt)) / 1000,
  );
  await recordWorkflowEvent(deps, place, lock.pipelineRunName, {
    reason: 'LockReleased',
    message,
    type: 'Normal',
  });
}

/**
 * WE-8: the lock was taken but Running never recorded within the lease. If the run exists and is the
 * holder's, the start is recorded now (a crash between create and record); otherwise the execution
 * fails and the lock is freed, since nothing ran.
 */
async function settleStuck(lock: Lock, holder: Execution, deps: SyncDeps, report: ReconcileReport) {
  const now = deps.clock.now();
  const place = placeOf(lock.cluster, deps);
  const run = await place.cluster.getPipelineRun(place.namespace, lock.pipelineRunName);
  if (run && isOwnedBy(run.labels, holder.id)) {
    const startTime = startTimeOf(now, run.startTime);
    const next = toRunning(holder, { name: run.name, namespace: run.namespace, adopted: true }, startTime);
    await deps.store.write({
      executions: [{ next, expectVersion: holder.version }],
      lock: { op: 'put', lock: runningLock(lock, now, deps.settings.leaseMs), expectVersion: lock.version },
      audit: [auditEvent('workflow.started', next, startTime)],
    });
    return;
  }
  const lease = formatDuration(deps.settings.leaseMs);
  const next = withLockReleased(
    toFailedBeforeExecution(
      holder,
      {
        reason: 'Unknown',
        message: `PipelineRun was never created: the lock lease (${lease}) expired before the request reached the cluster`,
        workflowId: holder.manifest?.spec.workflowRef.workflowId ?? '',
      },
      now,
    ),
    `Lock released for ${lock.target}: lease expired before the PipelineRun was created`,
    now,
  );
  const written = await deps.store.write({
    executions: [{ next, expectVersion: holder.version }],
    lock: { op: 'delete', key: lock.key, expectVersion: lock.version },
    audit: [auditEvent('workflow.failed', next, now)],
  });
  if (!written.ok) {
    report.skipped++;
    return;
  }
  report.stuck++;
  deps.metrics.add(MetricName.StuckLocks, 'Count', 1);
  deps.metrics.add(MetricName.ReconcilerTotal, 'Count', 1, { outcome: 'Failed' });
  deps.metrics.add(MetricName.ReconcilerDuration, 'Seconds', 0, { outcome: 'Failed' });
  deps.log.warn('stuck lock released', { target: lock.target, holder: executionKey(holder.id) });
}
