/**
 * The sweep spread over shards (WE-14, issue 15): the schedule fans the shards out, each worker
 * sweeps one, and the sweep stays correct when it overlaps itself, the event path or execute.
 */
import { describe, expect, it } from 'vitest';
import { executionKey } from '../../functions/core/execution-id.js';
import { runningLock } from '../../functions/core/lock.js';
import { MetricName } from '../../functions/core/metric-name.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { RunState, SweepMessage } from '../../functions/core/ports.js';
import {
  allUnitsOf,
  CENSUS_PERIOD_MS,
  censusTaker,
  fanOut,
  parseSweepMessage,
  sweep,
} from '../../functions/core/reconcile.js';
import { syncRun } from '../../functions/core/sync-one.js';
import { CLUSTER, memorySystem, NAMESPACE as NS } from '../fakes/memory-system.js';
import { body } from '../fixtures/manifests.js';

const target = (i: number) => `default/deployment/app-${i}`;
const succeeded: Partial<RunState> = {
  startTime: '2026-03-01T10:00:01Z',
  completionTime: '2026-03-01T10:00:30Z',
  succeeded: {
    status: 'True',
    reason: 'Succeeded',
    message: 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
  },
};

async function fleet(n: number) {
  const s = memorySystem();
  for (let i = 0; i < n; i++) await s.execute(body({ name: `we-${i}`, target: target(i) }));
  const shardOf = (name: string) =>
    s.store.shardOf(executionKey({ cluster: 'default', namespace: 'default', name }));
  return { ...s, shardOf };
}

describe('census', () => {
  it('publishes the executions running and the locks held now, once a tick, for the dashboard', async () => {
    const s = await fleet(5);
    s.cluster.update(NS, pipelineRunName(target(0)), succeeded);
    await sweep(allUnitsOf(s.store, s.settings), s.reconcileDeps);
    const publishCensus = censusTaker(s.reconcileDeps);
    await publishCensus();
    const gauge = (name: MetricName) => s.metrics.entries.filter((e) => e.name === name).map((e) => e.value);
    // One ended: four still run; all five targets are held (the ended one through its cooldown).
    expect(gauge(MetricName.ExecutionsRunning)).toEqual([4]);
    expect(gauge(MetricName.LocksHeld)).toEqual([5]);
    // Ticks faster than the dashboard's minute repeat no count; the next minute counts again.
    s.clock.advance(CENSUS_PERIOD_MS - 1);
    await publishCensus();
    expect(gauge(MetricName.ExecutionsRunning)).toEqual([4]);
    s.clock.advance(1);
    await publishCensus();
    expect(gauge(MetricName.ExecutionsRunning)).toEqual([4, 4]);
  });

  it('a census that cannot be counted is a warning, never a failed tick', async () => {
    const s = memorySystem();
    s.store.census = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await censusTaker(s.reconcileDeps)();
    expect(s.metrics.entries).toEqual([]);
    expect(s.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'census not counted' }),
    );
  });
});

describe('fan-out', () => {
  it('WE-16: sends one message per cluster × shard, and reads each back; anything else is refused', async () => {
    const s = memorySystem({
      settings: {
        clusters: [
          { name: 'east', namespace: NS },
          { name: 'west', namespace: NS },
        ],
        defaultCluster: 'east',
      },
    });
    const sent: SweepMessage[] = [];
    expect(await fanOut(s.store, { send: async (m) => void sent.push(...m) }, s.settings)).toBe(
      2 * s.store.dueShards,
    );
    expect(sent.map(({ cluster, shard }) => ({ cluster, shard }))).toEqual(allUnitsOf(s.store, s.settings));
    expect(new Set(sent.map((m) => m.cluster))).toEqual(new Set(['east', 'west']));
    for (const m of sent)
      expect(parseSweepMessage(JSON.stringify(m), s.store, s.settings)).toEqual({
        cluster: m.cluster,
        shard: m.shard,
      });
    for (const bad of [
      '',
      '{',
      '{"kind":"sweep"}',
      '{"kind":"sweep","cluster":"east","shard":-1}',
      '{"kind":"sweep","shard":1}',
      '{"kind":"sweep","cluster":"north","shard":1}',
      '{"kind":"run","cluster":"east","shard":1}',
    ])
      expect(parseSweepMessage(bad, s.store, s.settings)).toBeUndefined();
    expect(
      parseSweepMessage(
        JSON.stringify({ kind: 'sweep', cluster: 'east', shard: s.store.dueShards }),
        s.store,
        s.settings,
      ),
    ).toBeUndefined();
  });

  it('a worker sweeps its own shard only: every execution is ended by exactly one shard', async () => {
    const s = await fleet(12);
    for (let i = 0; i < 12; i++) s.cluster.update(NS, pipelineRunName(target(i)), succeeded);
    for (const unit of allUnitsOf(s.store, s.settings)) {
      const before = new Set(
        [...s.store.executions.values()].filter((e) => e.status.phase === 'Completed').map((e) => e.id.name),
      );
      await sweep([unit], s.reconcileDeps);
      const ended = [...s.store.executions.values()]
        .filter((e) => e.status.phase === 'Completed' && !before.has(e.id.name))
        .map((e) => e.id.name);
      for (const name of ended) expect(s.shardOf(name)).toBe(unit.shard);
    }
    expect([...s.store.executions.values()].every((e) => e.status.phase === 'Completed')).toBe(true);
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.completed')).toHaveLength(12);
  });
});

describe('an unchanged run costs its index entry only', () => {
  it('reads no execution and no TaskRun for a run whose own status has not moved; reads them when it has', async () => {
    const s = await fleet(3);
    for (let i = 0; i < 3; i++) {
      s.cluster.taskRuns.set(`${NS}/${pipelineRunName(target(i))}-t`, {
        name: 't',
        succeeded: { status: 'True', reason: 'Succeeded', message: '' },
      });
      s.cluster.update(NS, pipelineRunName(target(i)), {
        succeeded: {
          status: 'Unknown',
          reason: 'Running',
          message: 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: 1, Skipped: 0',
        },
        childReferences: [
          { kind: 'TaskRun', name: `${pipelineRunName(target(i))}-t`, pipelineTaskName: 't' },
        ],
      });
    }
    await s.reconcile(); // records each run's summary
    const reads = s.store.counts.reads;
    const taskRuns = s.cluster.calls.filter((c) => c === 'getTaskRun').length;
    expect(await s.reconcile()).toMatchObject({ synced: 3 });
    expect(s.cluster.calls.filter((c) => c === 'getTaskRun').length).toBe(taskRuns);
    // The index pages and the shards' resume points only: no execution read.
    expect(s.store.counts.reads - reads).toBeLessThanOrEqual(3 * s.store.dueShards);
    expect([...s.store.executions.values()].map((e) => e.version)).toEqual([3, 3, 3]);

    s.cluster.update(NS, pipelineRunName(target(1)), {
      succeeded: {
        status: 'Unknown',
        reason: 'Running',
        message: 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: 0, Skipped: 0',
      },
    });
    await s.reconcile();
    expect(s.cluster.calls.filter((c) => c === 'getTaskRun').length).toBe(taskRuns + 1);
    expect(s.store.execution('default', 'we-1')?.status.pipelineRunStatus).toMatchObject({
      completedTasks: 1,
    });
  });
});

describe('runs read in pages', () => {
  it('lists the fleet’s runs once per sweep, with no GET per execution', async () => {
    const s = await fleet(30);
    const before = s.cluster.calls.length;
    expect(await s.reconcile()).toMatchObject({ synced: 30 });
    const calls = s.cluster.calls.slice(before);
    expect(calls.filter((c) => c === 'list')).toHaveLength(1);
    expect(calls.filter((c) => c === 'get')).toHaveLength(0);
  });

  it('a run the LIST did not show is read by GET before it counts as gone (created after the LIST began)', async () => {
    const s = await fleet(1);
    const run = pipelineRunName(target(0));
    const list = s.cluster.listPipelineRuns.bind(s.cluster);
    // The LIST is answered as it was before the run existed.
    s.cluster.listPipelineRuns = async (namespace, limit, cursor) => {
      const page = await list(namespace, limit, cursor);
      return { ...page, items: page.items.filter((r) => r.name !== run) };
    };
    expect(await s.reconcile()).toMatchObject({ failed: 0 });
    expect(s.store.execution('default', 'we-0')?.status.phase).toBe('Running');
    expect(s.cluster.calls.filter((c) => c === 'get')).toHaveLength(1);

    s.cluster.runs.delete(`${NS}/${run}`);
    expect(await s.reconcile()).toMatchObject({ failed: 1 });
    expect(s.store.execution('default', 'we-0')?.status.failureDetails?.message).toMatch(/deleted/i);
  });
});

describe('overlap stays correct', () => {
  it('two workers on one shard at once: each end recorded once, each lock released once', async () => {
    const s = await fleet(10);
    for (let i = 0; i < 10; i++) s.cluster.update(NS, pipelineRunName(target(i)), succeeded);
    const units = allUnitsOf(s.store, s.settings);
    await Promise.all([...units, ...units].map((unit) => sweep([unit], s.reconcileDeps)));
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.completed')).toHaveLength(10);
    s.clock.advance(60_000);
    const reports = await Promise.all([...units, ...units].map((unit) => sweep([unit], s.reconcileDeps)));
    expect(reports.reduce((n, r) => n + r.released, 0)).toBe(10);
    expect(s.metrics.sum('wfe_locks_released_total')).toBe(10);
    expect(s.store.locks.size).toBe(0);
  });

  it('a worker and an event consumer on one execution: one end, one audit record', async () => {
    const s = await fleet(1);
    s.cluster.update(NS, pipelineRunName(target(0)), succeeded);
    const shard = { cluster: CLUSTER, shard: s.shardOf('we-0') };
    const hint = {
      kind: 'run' as const,
      cluster: CLUSTER,
      namespace: NS,
      name: pipelineRunName(target(0)),
      type: 'dev.tekton.event.pipelinerun.successful.v1',
    };
    await Promise.all([
      sweep([shard], s.reconcileDeps),
      syncRun(hint, s.reconcileDeps),
      sweep([shard], s.reconcileDeps),
    ]);
    expect(s.store.execution('default', 'we-0')?.status.phase).toBe('Completed');
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.completed')).toHaveLength(1);
    expect(s.metrics.sum('workflowexecution_reconciler_total', { outcome: 'Completed' })).toBe(1);
  });

  it('a sweep releasing a lock and execute taking it over at once: one holder, the new run never deleted', async () => {
    const s = await fleet(1);
    s.cluster.update(NS, pipelineRunName(target(0)), succeeded);
    await s.reconcile();
    s.clock.advance(60_000);
    const shard = { cluster: CLUSTER, shard: s.store.shardOf(`default#${target(0)}`) };
    const [, started] = await Promise.all([
      sweep([shard], s.reconcileDeps),
      s.execute(body({ name: 'we-next', target: target(0) })),
    ]);
    expect(started.kind).toBe('started');
    const lock = s.store.locks.get(`default#${target(0)}`);
    expect(lock?.holder.name).toBe('we-next');
    expect(s.cluster.run(NS, pipelineRunName(target(0)))).toBeDefined();
    expect(s.store.execution('default', 'we-next')?.status.phase).toBe('Running');
  });
});

describe('the due time does not move needlessly', () => {
  it('recording the run keeps the lease still ahead, so the lock’s index entry is not rewritten', () => {
    const lock = {
      key: 'k',
      cluster: 'default',
      target: 't',
      holder: { cluster: 'default', namespace: 'default', name: 'we-1' },
      token: 1,
      version: 1,
      pipelineRunName: 'wfe-x',
      state: 'acquired' as const,
      acquiredAt: '2026-03-01T10:00:00.000Z',
      leaseUntil: '2026-03-01T10:15:00.000Z',
    };
    expect(runningLock(lock, new Date('2026-03-01T10:00:02Z'), 15 * 60_000).leaseUntil).toBe(
      '2026-03-01T10:15:00.000Z',
    );
    // Once it has passed, the next look is another lease away.
    expect(runningLock(lock, new Date('2026-03-01T10:15:00Z'), 15 * 60_000).leaseUntil).toBe(
      '2026-03-01T10:30:00.000Z',
    );
  });
});
