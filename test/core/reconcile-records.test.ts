/**
 * What each reconcile step leaves for people and dashboards besides the execution: the metrics with
 * their units and dimensions, the Kubernetes Events Kubernaut's users read, the report's counts,
 * and the writes it does not make (WE-6, WE-7, WE-8).
 */
import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { RunState } from '../../functions/core/ports.js';
import { censusTaker, emptyReport, reconcile, settleLock } from '../../functions/core/reconcile.js';
import { syncRun } from '../../functions/core/sync-one.js';
import { memorySystem, NAMESPACE as NS } from '../fakes/memory-system.js';
import { RecordingTimers } from '../fakes/recorders.js';
import { body } from '../fixtures/manifests.js';

const TARGET = 'default/deployment/test-app';
const RUN = pipelineRunName(TARGET);
const LOCK = `default#${TARGET}`;
const ABOUT_RUN = { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1', name: RUN, namespace: NS };

const ended = (status: 'True' | 'False', reason: string, message = ''): Partial<RunState> => ({
  startTime: '2026-03-01T10:00:01Z',
  completionTime: '2026-03-01T10:02:28Z',
  succeeded: { status, reason, message },
});

async function started() {
  const s = memorySystem();
  await s.execute(body({ name: 'we-1', target: TARGET }));
  const since = { metrics: s.metrics.entries.length, events: s.cluster.events.length };
  const recorded = () => ({
    metrics: s.metrics.entries.slice(since.metrics),
    events: s.cluster.events.slice(since.events),
  });
  const mark = () => {
    since.metrics = s.metrics.entries.length;
    since.events = s.cluster.events.length;
  };
  const timers = new RecordingTimers();
  const deps = { ...s.reconcileDeps, timers };
  return { ...s, deps, timers, recorded, mark, execution: () => s.store.execution('default', 'we-1')! };
}

/** The run's own status, as a running one reports it between two syncs. */
const runningStatus = (message: string): Partial<RunState> => ({
  startTime: '2026-03-01T10:00:01Z',
  succeeded: { status: 'Unknown', reason: 'Running', message },
});

describe('WE-6: an end records its delay, outcome and duration, and tells the cluster', () => {
  it('a succeeded run: end detection 2 s after Tekton, 148 s long, WorkflowCompleted', async () => {
    const s = await started();
    s.clock.advance(150_000);
    s.cluster.update(NS, RUN, ended('True', 'Succeeded'));
    expect(await reconcile(s.deps)).toEqual({ ...emptyReport(), synced: 1, completed: 1 });
    expect(s.recorded()).toEqual({
      metrics: [
        {
          name: 'wfe_end_detection_delay_seconds',
          unit: 'Seconds',
          value: 2,
          dimensions: { trigger: 'sweep', cluster: 'default' },
        },
        {
          name: 'workflowexecution_reconciler_total',
          unit: 'Count',
          value: 1,
          dimensions: { outcome: 'Completed', cluster: 'default' },
        },
        {
          name: 'workflowexecution_reconciler_duration_seconds',
          unit: 'Seconds',
          value: 148,
          dimensions: { outcome: 'Completed', cluster: 'default' },
        },
      ],
      events: [
        {
          namespace: NS,
          involvedObject: ABOUT_RUN,
          reason: 'WorkflowCompleted',
          message: 'Workflow test-workflow completed successfully in 2m28s',
          type: 'Normal',
        },
      ],
    });
    // The cooldown's timer is armed from the end Tekton reported.
    expect(s.store.locks.get(LOCK)).toMatchObject({
      state: 'cooling',
      releaseAt: '2026-03-01T10:02:38.000Z',
    });
  });

  it('a failed run: WorkflowFailed as a Warning naming the reason', async () => {
    const s = await started();
    s.clock.advance(150_000);
    s.cluster.update(NS, RUN, ended('False', 'PipelineRunTimeout', 'PipelineRun exceeded timeout'));
    expect(await reconcile(s.deps)).toEqual({ ...emptyReport(), synced: 1, failed: 1 });
    const { metrics, events } = s.recorded();
    expect(metrics.map((m) => m.dimensions)).toEqual([
      { trigger: 'sweep', cluster: 'default' },
      { outcome: 'Failed', cluster: 'default' },
      { outcome: 'Failed', cluster: 'default' },
    ]);
    expect(events).toEqual([
      {
        namespace: NS,
        involvedObject: ABOUT_RUN,
        reason: 'WorkflowFailed',
        message: 'Workflow test-workflow failed: DeadlineExceeded',
        type: 'Warning',
      },
    ]);
  });

  it('a run deleted externally has no end from Tekton: no end detection delay, a failure all the same', async () => {
    const s = await started();
    s.cluster.runs.clear();
    s.clock.advance(60_000);
    expect(await reconcile(s.deps)).toEqual({ ...emptyReport(), synced: 1, failed: 1 });
    expect(s.recorded().metrics.map((m) => m.name)).toEqual([
      'workflowexecution_reconciler_total',
      'workflowexecution_reconciler_duration_seconds',
    ]);
    expect(s.recorded().events[0]).toMatchObject({ message: 'Workflow test-workflow failed: Unknown' });
  });

  it('an end another invocation recorded first is counted skipped, with nothing else recorded', async () => {
    const s = await started();
    s.cluster.update(NS, RUN, ended('True', 'Succeeded'));
    s.store.beforeWrite = () => {
      const e = s.execution();
      s.store.executions.set('default/default/we-1', { ...e, version: e.version + 1 });
    };
    expect(await reconcile(s.deps)).toEqual({ ...emptyReport(), synced: 1, skipped: 1 });
    expect(s.recorded()).toEqual({ metrics: [], events: [] });
    expect(s.timers.sent).toEqual([]);
  });
});

describe('WE-6: a running run is written only when what it reports has changed', () => {
  it.each([
    ['nothing changed', runningStatus('Tasks Completed: 1'), 0],
    ['a new message', runningStatus('Tasks Completed: 2'), 1],
    [
      'a new reason',
      {
        ...runningStatus('Tasks Completed: 1'),
        succeeded: { status: 'Unknown' as const, reason: 'Cancelling', message: 'Tasks Completed: 1' },
      },
      1,
    ],
    [
      'another task',
      { ...runningStatus('Tasks Completed: 1'), childReferences: [{ kind: 'TaskRun', name: 'wfe-t1' }] },
      1,
    ],
  ])('an event for a running run with %s is written only if it changed', async (_what, change, writes) => {
    const s = await started();
    s.cluster.update(NS, RUN, runningStatus('Tasks Completed: 1'));
    await syncRun(
      {
        kind: 'run',
        cluster: 'default',
        namespace: NS,
        name: RUN,
        type: 'dev.tekton.event.pipelinerun.running.v1',
      },
      s.deps,
    );
    const version = s.execution().version;
    s.cluster.update(NS, RUN, change);
    const before = s.store.counts.writes;
    await syncRun(
      {
        kind: 'run',
        cluster: 'default',
        namespace: NS,
        name: RUN,
        type: 'dev.tekton.event.pipelinerun.running.v1',
      },
      s.deps,
    );
    expect(s.store.counts.writes - before).toBe(writes);
    expect(s.execution().version).toBe(version + writes);
  });

  it('a completed task alone (the run-level report unchanged) is written', async () => {
    const s = await started();
    s.cluster.update(NS, RUN, {
      ...runningStatus('m'),
      childReferences: [{ kind: 'TaskRun', name: 'wfe-t1' }],
    });
    const hint = {
      kind: 'run' as const,
      cluster: 'default',
      namespace: NS,
      name: RUN,
      type: 'dev.tekton.event.pipelinerun.running.v1',
    };
    await syncRun(hint, s.deps);
    s.cluster.taskRuns.set(`${NS}/wfe-t1`, {
      name: 'wfe-t1',
      succeeded: { status: 'True', reason: 'Succeeded', message: '' },
    });
    await syncRun(hint, s.deps);
    expect(s.execution().status.pipelineRunStatus).toMatchObject({ completedTasks: 1, totalTasks: 1 });
  });
});

describe('WE-7: a release records its delay and the lock hold, and tells the cluster', () => {
  it('released 7 s after its cooldown ended, held 165 s, LockReleased', async () => {
    const s = await started();
    s.clock.advance(150_000);
    s.cluster.update(NS, RUN, ended('True', 'Succeeded'));
    await reconcile(s.deps);
    s.mark();
    s.clock.advance(15_000);
    expect(await reconcile(s.deps)).toEqual({ ...emptyReport(), released: 1 });
    expect(s.recorded()).toEqual({
      metrics: [
        { name: 'wfe_locks_released_total', unit: 'Count', value: 1, dimensions: { cluster: 'default' } },
        {
          name: 'wfe_release_delay_seconds',
          unit: 'Seconds',
          value: 7,
          dimensions: { trigger: 'sweep', cluster: 'default' },
        },
        { name: 'wfe_lock_hold_seconds', unit: 'Seconds', value: 165, dimensions: { cluster: 'default' } },
      ],
      events: [
        {
          namespace: NS,
          involvedObject: ABOUT_RUN,
          reason: 'LockReleased',
          message: `Lock released for ${TARGET} after cooldown`,
          type: 'Normal',
        },
      ],
    });
  });

  it('a holder already marked LockReleased is not written again; a release that loses its race is skipped', async () => {
    const s = await started();
    s.cluster.update(NS, RUN, ended('True', 'Succeeded'));
    await reconcile(s.deps);
    const lock = s.store.locks.get(LOCK)!;
    const e = s.execution();
    s.store.executions.set('default/default/we-1', {
      ...e,
      status: {
        ...e.status,
        conditions: {
          ...e.status.conditions,
          LockReleased: {
            type: 'LockReleased',
            status: 'True',
            reason: 'LockReleased',
            message: 'm',
            lastTransitionTime: '2026-03-01T10:00:00Z',
          },
        },
      },
    });
    s.clock.advance(5 * 60_000);
    const stale = { ...lock, version: lock.version + 1 };
    const lost = emptyReport();
    await settleLock(stale, s.deps, lost);
    expect(lost).toEqual({ ...emptyReport(), skipped: 1 });
    expect(await reconcile(s.deps)).toEqual({ ...emptyReport(), released: 1 });
    expect(s.execution().version).toBe(e.version);
  });
});

describe('WE-8: a stuck lock', () => {
  it('a failure before the run existed: the lease in the message, the stuck metrics, a warning naming the holder', async () => {
    const s = memorySystem();
    s.cluster.fault = (op) => {
      if (op === 'create') throw new ClusterUnavailableError('connect ECONNREFUSED');
    };
    await expect(s.execute(body({ name: 'we-1', target: TARGET }))).rejects.toThrow('ECONNREFUSED');
    s.cluster.fault = undefined;
    const before = s.metrics.entries.length;
    s.clock.advance(15 * 60_000);
    expect(await reconcile(s.reconcileDeps)).toEqual({ ...emptyReport(), stuck: 1 });
    expect(s.metrics.entries.slice(before)).toEqual([
      { name: 'wfe_stuck_locks_total', unit: 'Count', value: 1, dimensions: { cluster: 'default' } },
      {
        name: 'workflowexecution_reconciler_total',
        unit: 'Count',
        value: 1,
        dimensions: { outcome: 'Failed', cluster: 'default' },
      },
      {
        name: 'workflowexecution_reconciler_duration_seconds',
        unit: 'Seconds',
        value: 0,
        dimensions: { outcome: 'Failed', cluster: 'default' },
      },
    ]);
    const e = s.store.execution('default', 'we-1')!;
    expect(e.status.failureDetails).toMatchObject({ reason: 'Unknown' });
    expect(e.status.failureDetails?.naturalLanguageSummary).toContain("Workflow 'test-workflow' failed");
    expect(e.status.conditions.LockReleased?.message).toBe(
      `Lock released for ${TARGET}: lease expired before the PipelineRun was created`,
    );
    expect(s.log.lines).toContainEqual({
      level: 'warn',
      message: 'stuck lock released',
      fields: { cluster: 'default', target: TARGET, holder: 'default/default/we-1' },
    });
  });

  it('a run found under the lock is adopted, said so, and its start recorded once', async () => {
    const s = memorySystem();
    s.store.beforeWrite = (change) => {
      if (change.audit?.some((a) => a.event_type === 'workflow.started')) throw new Error('crash');
    };
    await expect(s.execute(body({ name: 'we-1', target: TARGET }))).rejects.toThrow('crash');
    s.store.beforeWrite = undefined;
    s.clock.advance(15 * 60_000);
    await reconcile(s.reconcileDeps);
    const e = s.store.execution('default', 'we-1')!;
    expect(e.status.conditions.TektonPipelineCreated?.message).toBe(
      `PipelineRun ${RUN} already exists in ${NS} namespace and belongs to this execution (adopted)`,
    );
  });

  it('a running lock past its check time with its holder still Running only renews the lease', async () => {
    const s = await started();
    const version = s.execution().version;
    s.clock.advance(15 * 60_000);
    await settleLock(s.store.locks.get(LOCK)!, s.deps, emptyReport());
    expect(s.store.locks.get(LOCK)).toMatchObject({
      state: 'running',
      leaseUntil: '2026-03-01T10:30:00.000Z',
    });
    expect(s.execution().version).toBe(version);
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.started']);
  });
});

describe('WE-7: a lock whose holder ended without its end reaching the lock', () => {
  it('cools down from the end with a timer for it; a lock changed meanwhile is left, with no timer', async () => {
    const s = await started();
    const e = s.execution();
    s.store.executions.set('default/default/we-1', {
      ...e,
      status: { ...e.status, phase: 'Failed', completionTime: '2026-03-01T10:01:00.000Z' },
    });
    s.clock.advance(15 * 60_000);
    const lock = s.store.locks.get(LOCK)!;
    await settleLock({ ...lock, version: lock.version + 1 }, s.deps, emptyReport());
    expect(s.store.locks.get(LOCK)).toEqual(lock);
    expect(s.timers.sent).toEqual([]);
    await settleLock(lock, s.deps, emptyReport());
    expect(s.store.locks.get(LOCK)).toMatchObject({
      state: 'cooling',
      releaseAt: '2026-03-01T10:01:10.000Z',
    });
    expect(s.timers.sent).toHaveLength(1);
  });
});

describe('the gauges and the poison-item count are counts, and their warnings say what failed', () => {
  it('the census publishes two Counts; one that fails warns with the error', async () => {
    const s = await started();
    await censusTaker(s.deps)();
    expect(s.recorded().metrics).toEqual([
      { name: 'wfe_executions_running', unit: 'Count', value: 1, dimensions: { cluster: 'default' } },
      { name: 'wfe_locks_held', unit: 'Count', value: 1, dimensions: { cluster: 'default' } },
    ]);
    s.store.census = async () => {
      throw new Error('throttled');
    };
    await censusTaker(s.deps)();
    expect(s.log.lines.at(-1)).toEqual({
      level: 'warn',
      message: 'census not counted',
      fields: { cluster: 'default', error: 'Error: throttled' },
    });
  });

  it('a lock that cannot be settled is counted once and named in the warning', async () => {
    const s = await started();
    s.cluster.update(NS, RUN, ended('True', 'Succeeded'));
    await reconcile(s.deps);
    s.mark();
    s.clock.advance(5 * 60_000);
    const readLock = s.store.readLock.bind(s.store);
    s.store.readLock = async () => {
      throw new Error('lock unreadable');
    };
    expect(await reconcile(s.deps)).toEqual({ ...emptyReport(), itemFailures: 1 });
    s.store.readLock = readLock;
    expect(s.recorded().metrics).toEqual([
      { name: 'wfe_sweep_item_failures_total', unit: 'Count', value: 1, dimensions: { cluster: 'default' } },
    ]);
    expect(s.log.lines.at(-1)).toEqual({
      level: 'warn',
      message: 'reconcile could not handle an item; the next sweep retries it',
      fields: { cluster: 'default', item: `lock ${LOCK}`, error: 'lock unreadable' },
    });
  });
});
