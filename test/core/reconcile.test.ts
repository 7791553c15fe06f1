import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { conditionList } from '../../functions/core/execution.js';
import { type LockState, lockStates } from '../../functions/core/lock.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { RunState } from '../../functions/core/ports.js';
import { type ReconcileBudget, reconcile } from '../../functions/core/reconcile.js';
import { memorySystem, NAMESPACE as NS } from '../fakes/memory-system.js';
import { CLASSIFICATION_MATRIX } from '../fixtures/classification-matrix.js';
import { body } from '../fixtures/manifests.js';

const TARGET = 'default/deployment/test-app';
const RUN = pipelineRunName(TARGET);
const LOCK = `default#${TARGET}`;

function system(budget: Partial<ReconcileBudget> = {}) {
  const s = memorySystem({ budget });
  const start = (name: string, target = TARGET) => s.execute(body({ name, target }));
  const setRun = (change: Partial<RunState>, name = RUN) => s.cluster.update(NS, name, change);
  const execution = (name: string) => s.store.execution('default', name)!;
  return { ...s, deps: s.reconcileDeps, start, setRun, execution };
}

const succeeded = (completionTime?: string): Partial<RunState> => ({
  startTime: '2026-03-01T10:00:01Z',
  ...(completionTime ? { completionTime } : {}),
  succeeded: {
    status: 'True',
    reason: 'Succeeded',
    message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
  },
});

describe('WE-6 sync', () => {
  it('moves a succeeded run to Completed with completionTime from the run, duration, and workflow.completed', async () => {
    const s = system();
    await s.start('we-1');
    s.clock.advance(150_000);
    s.setRun(succeeded('2026-03-01T10:02:30Z'));
    const report = await reconcile(s.deps);
    expect(report).toMatchObject({ synced: 1, completed: 1, failed: 0 });
    const e = s.execution('we-1');
    expect(e.status).toMatchObject({
      phase: 'Completed',
      completionTime: '2026-03-01T10:02:30.000Z',
      duration: '2m30s',
    });
    expect(e.status.failureDetails).toBeUndefined();
    expect(e.status.conditions.TektonPipelineComplete).toMatchObject({
      status: 'True',
      reason: 'PipelineSucceeded',
      message: 'All tasks completed successfully in 2m30s',
    });
    expect(conditionList(e.status).map((c) => c.type)).toEqual([
      'TektonPipelineCreated',
      'TektonPipelineRunning',
      'TektonPipelineComplete',
      'AuditRecorded',
    ]);
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.started', 'workflow.completed']);
    expect(s.store.audit[1]?.event_data).toMatchObject({
      phase: 'Completed',
      started_at: '2026-03-01T10:00:00.000Z',
      completed_at: '2026-03-01T10:02:30.000Z',
      duration: '2m30s',
      pipelinerun_name: RUN,
    });
    expect(s.store.locks.get(LOCK)).toMatchObject({
      state: 'cooling',
      releaseAt: '2026-03-01T10:02:40.000Z',
    });
    expect(s.metrics.sum('workflowexecution_reconciler_total', { outcome: 'Completed' })).toBe(1);
    expect(s.metrics.sum('workflowexecution_reconciler_duration_seconds', { outcome: 'Completed' })).toBe(
      150,
    );
    expect(s.cluster.events.at(-1)).toMatchObject({ reason: 'WorkflowCompleted', type: 'Normal' });
  });

  it('uses now as completionTime when the run has none', async () => {
    const s = system();
    await s.start('we-1');
    s.clock.advance(5000);
    s.setRun(succeeded());
    await reconcile(s.deps);
    expect(s.execution('we-1').status.completionTime).toBe('2026-03-01T10:00:05.000Z');
  });

  it.each(CLASSIFICATION_MATRIX)(
    'classifies %s "%s" (started=%s) as %s, wasExecutionFailure=%s',
    async (reason, message, started, expected, executed) => {
      const s = system();
      await s.start('we-1');
      s.setRun({
        ...(started ? { startTime: '2026-03-01T10:00:01Z' } : {}),
        succeeded: { status: 'False', reason, message },
      });
      await reconcile(s.deps);
      const e = s.execution('we-1');
      expect(e.status.phase).toBe('Failed');
      expect(e.status.failureDetails).toMatchObject({
        reason: expected,
        wasExecutionFailure: executed,
        message,
      });
      expect(s.store.audit.at(-1)).toMatchObject({ event_type: 'workflow.failed', event_outcome: 'failure' });
      expect(s.store.audit.at(-1)?.event_data).toMatchObject({
        failure_reason: expected,
        failure_message: message,
        phase: 'Failed',
      });
    },
  );

  it('names the failed TaskRun, its index among the children, and its exit code', async () => {
    const s = system();
    await s.start('we-1');
    s.clock.advance(65_000);
    s.cluster.taskRuns.set(`${NS}/${RUN}-validate`, {
      name: `${RUN}-validate`,
      succeeded: { status: 'True', reason: 'Succeeded', message: '' },
    });
    s.cluster.taskRuns.set(`${NS}/${RUN}-remediate`, {
      name: `${RUN}-remediate`,
      succeeded: { status: 'False', reason: 'Failed', message: 'step exited' },
      exitCode: 137,
    });
    s.setRun({
      startTime: '2026-03-01T10:00:01Z',
      childReferences: [
        { kind: 'TaskRun', name: `${RUN}-validate`, pipelineTaskName: 'validate' },
        { kind: 'TaskRun', name: `${RUN}-remediate`, pipelineTaskName: 'remediate' },
      ],
      succeeded: {
        status: 'False',
        reason: 'Failed',
        message: 'Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0',
      },
    });
    await reconcile(s.deps);
    const e = s.execution('we-1');
    expect(e.status.failureDetails).toMatchObject({
      reason: 'TaskFailed',
      failedTaskName: `${RUN}-remediate`,
      failedTaskIndex: 1,
      exitCode: 137,
      executionTimeBeforeFailure: '1m5s',
      wasExecutionFailure: true,
    });
    expect(e.status.failureDetails?.naturalLanguageSummary).toContain(
      "Workflow 'test-workflow' failed on target",
    );
    expect(e.status.pipelineRunStatus).toMatchObject({ status: 'False', totalTasks: 2, completedTasks: 1 });
    expect(e.status.conditions.TektonPipelineComplete).toMatchObject({
      status: 'False',
      reason: 'TaskFailed',
    });
    expect(s.store.audit.at(-1)?.event_data.failed_task_name).toBe(`${RUN}-remediate`);
    expect(s.metrics.sum('workflowexecution_reconciler_total', { outcome: 'Failed' })).toBe(1);
  });

  it.each([
    ['while Running', true],
    ['right after creation', false],
  ])(
    'fails an execution whose run was deleted externally %s, then still releases its lock after cooldown',
    async (_when, running) => {
      const s = system();
      await s.start('we-1');
      if (running)
        s.setRun({
          startTime: '2026-03-01T10:00:01Z',
          succeeded: { status: 'Unknown', reason: 'Running', message: '' },
        });
      s.cluster.runs.clear();
      s.clock.advance(3000);
      await reconcile(s.deps);
      const e = s.execution('we-1');
      expect(e.status.phase).toBe('Failed');
      expect(e.status.failureDetails).toMatchObject({
        reason: 'Unknown',
        message: 'PipelineRun was deleted externally',
        wasExecutionFailure: false,
      });
      expect(e.status.conditions.AuditRecorded?.status).toBe('True');
      expect(s.store.locks.get(LOCK)).toMatchObject({ state: 'cooling' });
      s.clock.advance(10_000);
      expect(await reconcile(s.deps)).toMatchObject({ released: 1 });
      expect(s.store.locks.has(LOCK)).toBe(false);
    },
  );

  it('keeps a running run Running and writes the summary only when it changed', async () => {
    const s = system();
    await s.start('we-1');
    const writes = s.store.counts.writes;
    s.setRun({
      startTime: '2026-03-01T10:00:01Z',
      succeeded: { status: 'Unknown', reason: 'Running', message: 'Tasks Completed: 0' },
    });
    await reconcile(s.deps);
    const e = s.execution('we-1');
    expect(e.status.phase).toBe('Running');
    expect(e.status.pipelineRunStatus).toEqual({
      status: 'Unknown',
      reason: 'Running',
      message: 'Tasks Completed: 0',
      completedTasks: 0,
      totalTasks: 0,
    });
    expect(e.status.conditions.TektonPipelineRunning?.message).toBe('Pipeline executing (Running)');
    expect(s.store.counts.writes).toBe(writes + 1);
    await reconcile(s.deps);
    await reconcile(s.deps);
    expect(s.store.counts.writes).toBe(writes + 1);
  });

  it('records workflow.completed exactly once when two reconciles overlap', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:30Z'));
    await Promise.all([reconcile(s.deps), reconcile(s.deps), reconcile(s.deps)]);
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.completed')).toHaveLength(1);
    expect(s.metrics.sum('workflowexecution_reconciler_total', { outcome: 'Completed' })).toBe(1);
  });

  it('throws on a cluster fault so the tick is retried, with nothing written', async () => {
    const s = system();
    await s.start('we-1');
    s.cluster.fault = () => {
      throw new ClusterUnavailableError('HTTP 503', 503);
    };
    const writes = s.store.counts.writes;
    await expect(reconcile(s.deps)).rejects.toBeInstanceOf(ClusterUnavailableError);
    expect(s.store.counts.writes).toBe(writes);
  });
});

describe('one item that keeps failing does not starve the others', () => {
  it('syncs every other execution, counts the one that failed (metric), and ends the sweep', async () => {
    const s = system();
    await s.start('we-1', 'default/deployment/app-1');
    await s.start('we-2', 'default/deployment/app-2');
    await s.start('we-3', 'default/deployment/app-3');
    for (const target of ['app-1', 'app-2', 'app-3'])
      s.setRun(succeeded('2026-03-01T10:00:30Z'), pipelineRunName(`default/deployment/${target}`));
    // The first execution's end can never be written (say, an item DynamoDB refuses as too large).
    const write = s.store.write.bind(s.store);
    const refused = new Error('ValidationException: Item size has exceeded the maximum allowed size');
    s.store.write = async (change) => {
      if (change.executions?.some((e) => e.next.id.name === 'we-1')) throw refused;
      return write(change);
    };
    expect(await reconcile(s.deps)).toMatchObject({ completed: 2, itemFailures: 1 });
    expect(s.metrics.sum('wfe_sweep_item_failures_total')).toBe(1);
    expect(s.execution('we-1').status.phase).toBe('Running');
    expect(s.execution('we-2').status.phase).toBe('Completed');
    expect(s.execution('we-3').status.phase).toBe('Completed');
    expect(s.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'reconcile could not handle an item; the next sweep retries it',
        fields: expect.objectContaining({ item: 'default/default/we-1', error: refused.message }),
      }),
    );
  });

  it('stops at once when the cluster is unavailable: every other item would wait on it too', async () => {
    const s = system();
    await s.start('we-1', 'default/deployment/app-1');
    await s.start('we-2', 'default/deployment/app-2');
    s.cluster.fault = () => {
      throw new ClusterUnavailableError('HTTP 503', 503);
    };
    const before = s.cluster.calls.length;
    await expect(reconcile(s.deps)).rejects.toBeInstanceOf(ClusterUnavailableError);
    expect(s.cluster.calls.slice(before)).toEqual(['list']);
  });
});

describe('WE-7 release', () => {
  it('holds the lock during the cooldown and releases it after, with the LockReleased condition and Event', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:20Z'));
    await reconcile(s.deps);
    s.clock.set('2026-03-01T10:00:29.999Z');
    expect(await reconcile(s.deps)).toMatchObject({ released: 0 });
    expect(s.store.locks.has(LOCK)).toBe(true);
    expect(s.cluster.run(NS, RUN)).toBeDefined();
    s.clock.set('2026-03-01T10:00:30Z');
    expect(await reconcile(s.deps)).toMatchObject({ released: 1 });
    expect(s.store.locks.has(LOCK)).toBe(false);
    expect(s.cluster.run(NS, RUN)).toBeUndefined();
    const e = s.execution('we-1');
    expect(conditionList(e.status).map((c) => c.type)).toEqual([
      'TektonPipelineCreated',
      'TektonPipelineRunning',
      'TektonPipelineComplete',
      'AuditRecorded',
      'LockReleased',
    ]);
    expect(s.cluster.events.at(-1)).toMatchObject({
      namespace: NS,
      reason: 'LockReleased',
      message: `Lock released for ${TARGET} after cooldown`,
      involvedObject: { kind: 'PipelineRun', name: RUN, namespace: NS },
    });
    expect(s.metrics.sum('wfe_locks_released_total')).toBe(1);
    expect(s.metrics.sum('wfe_lock_hold_seconds')).toBe(30);
    // Idempotent: nothing more to do.
    expect(await reconcile(s.deps)).toMatchObject({ released: 0, skipped: 0 });
  });

  it('frees the lock of a terminal execution that has no completionTime, counting from now', async () => {
    const s = system();
    await s.start('we-1');
    const e = s.execution('we-1');
    s.store.executions.set('default/default/we-1', {
      ...e,
      status: { ...e.status, phase: 'Failed', completionTime: undefined },
    });
    s.clock.advance(15 * 60_000);
    await reconcile(s.deps);
    expect(s.store.locks.get(LOCK)).toMatchObject({
      state: 'cooling',
      releaseAt: '2026-03-01T10:15:10.000Z',
    });
    s.clock.advance(10_000);
    expect(await reconcile(s.deps)).toMatchObject({ released: 1 });
    expect(s.store.locks.has(LOCK)).toBe(false);
  });

  it("never deletes another execution's run: the loser of a race cannot kill the winner (Kubernaut bug)", async () => {
    const s = system();
    await s.start('we-1');
    expect(await s.start('we-2')).toMatchObject({ kind: 'deduplicated' });
    // we-1's lock expires while a run now owned by we-3 holds the name (e.g. created after a forced release).
    s.setRun(succeeded('2026-03-01T10:00:05Z'));
    await reconcile(s.deps);
    s.cluster.runs.clear();
    await s.cluster.createPipelineRun({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        name: RUN,
        namespace: NS,
        labels: { 'kubernaut.ai/workflow-execution': 'we-3', 'kubernaut.ai/source-namespace': 'default' },
        annotations: {},
      },
      spec: {
        pipelineRef: { resolver: 'bundles', params: [] },
        params: [],
        taskRunTemplate: { serviceAccountName: 'x' },
      },
    });
    s.clock.advance(60_000);
    expect(await reconcile(s.deps)).toMatchObject({ released: 1 });
    expect(s.cluster.run(NS, RUN)?.state.labels['kubernaut.ai/workflow-execution']).toBe('we-3');
  });

  it('is safe when two invocations release the same lock at once', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:00Z'));
    await reconcile(s.deps);
    s.clock.advance(10_000);
    const reports = await Promise.all([reconcile(s.deps), reconcile(s.deps)]);
    expect(reports.reduce((n, r) => n + r.released, 0)).toBe(1);
    expect(s.metrics.sum('wfe_locks_released_total')).toBe(1);
  });
});

describe('WE-8 stuck lock', () => {
  it('fails an execution whose run was never created once the lease expires, and frees the lock', async () => {
    const s = system();
    s.cluster.fault = (op) => {
      if (op === 'create') throw new ClusterUnavailableError('connect ECONNREFUSED');
    };
    await expect(s.start('we-1')).rejects.toThrow('ECONNREFUSED');
    s.cluster.fault = undefined;
    s.clock.advance(15 * 60_000 - 1);
    expect(await reconcile(s.deps)).toMatchObject({ stuck: 0 });
    s.clock.advance(1);
    expect(await reconcile(s.deps)).toMatchObject({ stuck: 1 });
    const e = s.execution('we-1');
    expect(e.status.phase).toBe('Failed');
    expect(e.status.failureDetails?.message).toBe(
      'PipelineRun was never created: the lock lease (15m0s) expired before the request reached the cluster',
    );
    expect(e.status.failureDetails?.wasExecutionFailure).toBe(false);
    expect(e.status.conditions.LockReleased?.status).toBe('True');
    expect(s.store.locks.has(LOCK)).toBe(false);
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.failed']);
    expect(s.metrics.sum('wfe_stuck_locks_total')).toBe(1);
    // The target is free again at once.
    expect(await s.start('we-2')).toMatchObject({ kind: 'started' });
  });

  it('records the start of a run that was created but never recorded (crash between create and write)', async () => {
    const s = system();
    s.store.beforeWrite = (change) => {
      if (change.audit?.some((a) => a.event_type === 'workflow.started')) throw new Error('crash');
    };
    await expect(s.start('we-1')).rejects.toThrow('crash');
    s.store.beforeWrite = undefined;
    s.clock.advance(15 * 60_000);
    await reconcile(s.deps);
    expect(s.execution('we-1').status.phase).toBe('Running');
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.started']);
    expect(s.store.locks.get(LOCK)?.state).toBe('running');
  });

  it("never adopts another execution's run under the lock's run name: the holder fails as never started", async () => {
    const s = system();
    s.store.beforeWrite = (change) => {
      if (change.audit?.some((a) => a.event_type === 'workflow.started')) throw new Error('crash');
    };
    await expect(s.start('we-1')).rejects.toThrow('crash');
    s.store.beforeWrite = undefined;
    s.setRun({
      labels: { 'kubernaut.ai/workflow-execution': 'we-3', 'kubernaut.ai/source-namespace': 'default' },
    });
    s.clock.advance(15 * 60_000);
    expect(await reconcile(s.deps)).toMatchObject({ stuck: 1 });
    const e = s.execution('we-1');
    expect(e.status.phase).toBe('Failed');
    expect(e.status.pipelineRunRef).toBeUndefined();
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.failed']);
    expect(s.store.locks.has(LOCK)).toBe(false);
    expect(s.cluster.run(NS, RUN)?.state.labels['kubernaut.ai/workflow-execution']).toBe('we-3');
  });
});

describe('a due lock gets what the lock states table says (WE-7, WE-8)', () => {
  const dueIn: Record<LockState, (s: ReturnType<typeof system>) => Promise<void>> = {
    acquired: async (s) => {
      s.cluster.fault = (op) => {
        if (op === 'create') throw new ClusterUnavailableError('connect ECONNREFUSED');
      };
      await expect(s.start('we-1')).rejects.toThrow('ECONNREFUSED');
      s.cluster.fault = undefined;
      s.clock.advance(s.settings.leaseMs);
    },
    running: async (s) => {
      await s.start('we-1');
      s.clock.advance(s.settings.leaseMs);
    },
    cooling: async (s) => {
      await s.start('we-1');
      s.setRun(succeeded('2026-03-01T10:00:00Z'));
      await reconcile(s.deps);
      s.clock.advance(s.settings.cooldownMs);
    },
  };

  it.each([
    ['acquired', 'settle-stuck', { stuck: 1, released: 0 }, undefined],
    [
      'running',
      'renew-lease',
      { stuck: 0, released: 0 },
      { state: 'running', leaseUntil: '2026-03-01T10:30:00.000Z' },
    ],
    ['cooling', 'release', { stuck: 0, released: 1 }, undefined],
  ] as const)('%s: %s', async (state, whenDue, report, lockAfter) => {
    expect(lockStates[state].whenDue).toBe(whenDue);
    const s = system();
    await dueIn[state](s);
    expect(s.store.locks.get(LOCK)?.state).toBe(state);
    expect(await reconcile(s.deps)).toMatchObject(report);
    expect(s.store.locks.get(LOCK)).toEqual(lockAfter && expect.objectContaining(lockAfter));
  });
});

describe('bounded work', () => {
  it('reads only what is due: 10,000 finished executions add nothing to a tick with 100 active', async () => {
    const s = system();
    for (let i = 0; i < 100; i++) await s.start(`active-${i}`, `default/deployment/app-${i}`);
    const tick = async () => {
      const before = s.store.counts.itemsRead;
      await reconcile(s.deps);
      return s.store.counts.itemsRead - before;
    };
    // The first sweep records each run's summary; from then on an unchanged run reads only its index entry.
    await tick();
    const withoutHistory = await tick();
    for (let i = 0; i < 10_000; i++) {
      const e = structuredClone(s.execution('active-0'));
      s.store.executions.set(`default/history/done-${i}`, {
        ...e,
        id: { cluster: 'default', namespace: 'default', name: `done-${i}` },
        status: { ...e.status, phase: 'Completed', completionTime: '2026-02-01T00:00:00Z' },
      });
    }
    const withHistory = await tick();
    expect(withoutHistory).toBe(100);
    expect(withHistory).toBe(withoutHistory);
  });

  it('stops at its item budget and stores where to resume', async () => {
    const s = system({ maxItems: 3, pageSize: 2 });
    for (let i = 0; i < 5; i++) await s.start(`we-${i}`, `default/deployment/app-${i}`);
    const first = await reconcile(s.deps);
    expect(first.synced).toBe(3);
    expect(s.store.sweepPoints.size).toBeGreaterThan(0);
    // The resume point is the page where the budget ran out, so at most a page is looked at twice.
    const second = await reconcile(s.deps);
    expect(second.synced).toBeLessThan(5);
    expect(first.synced + second.synced).toBeGreaterThanOrEqual(5);
  });

  it('stops when the invocation is running out of time', async () => {
    const s = system({ timeLeftMs: () => 4000 });
    await s.start('we-1');
    expect(await reconcile(s.deps)).toMatchObject({ synced: 0 });
  });
});
