/**
 * A reconcile tick's budget (WE-7, WE-15): release has its own, so a sync pass that uses up its
 * budget or its time never starves lock release; a tick that throws still says where to resume.
 */
import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { execute } from '../../functions/core/execute.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import {
  type ReconcileDeps,
  type ReconcileReport,
  reconcile,
  sweep,
} from '../../functions/core/reconcile.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { oneCluster } from '../fakes/memory-system.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from '../fakes/recorders.js';
import { body } from '../fixtures/manifests.js';

const NS = 'kubernaut-workflows';
const CLUSTER = 'default';
const COOLED = 'default/deployment/cooled';

function system(budget: Partial<ReconcileDeps['budget']>) {
  const store = new MemoryStore();
  const cluster = new MemoryCluster();
  const clock = fixedClock('2026-03-01T10:00:00Z');
  const settings = { ...oneCluster(), cooldownMs: 10_000, leaseMs: 15 * 60_000 };
  const ports = {
    store,
    clusters: () => cluster,
    clock,
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
  };
  const deps: ReconcileDeps = {
    ...ports,
    settings,
    budget: { pageSize: 2, maxItems: 1000, maxReleases: 1000, timeLeftMs: () => 60_000, ...budget },
  };
  const start = (name: string, target: string) =>
    execute(body({ name, target }), {
      ...ports,
      queue: new RecordingQueue(),
      settings: { ...settings, serviceAccountName: 'kubernaut-workflow-runner' },
    });
  return { store, cluster, clock, deps, start, metrics: ports.metrics };
}

/** One execution whose lock is due for release, and `running` executions still running. */
async function backlog(s: ReturnType<typeof system>, running: number) {
  await s.start('cooled', COOLED);
  s.cluster.update(NS, pipelineRunName(COOLED), {
    startTime: '2026-03-01T10:00:00Z',
    completionTime: '2026-03-01T10:00:01Z',
    succeeded: { status: 'True', reason: 'Succeeded', message: 'done' },
  });
  expect(await reconcile(s.deps)).toMatchObject({ completed: 1 });
  for (let i = 0; i < running; i++) await s.start(`we-${i}`, `default/deployment/app-${i}`);
  s.clock.advance(11_000);
}

describe('reconcile budget (WE-7, WE-15)', () => {
  it('WE-7: a sync pass that uses its whole item budget still releases the locks that are due', async () => {
    const s = system({ maxItems: 3 });
    await backlog(s, 5);
    const report = await reconcile(s.deps);
    expect(report).toMatchObject({ synced: 3, released: 1 });
    expect(s.store.sweepPoints.size).toBeGreaterThan(0);
    expect(s.store.locks.has(`default#${COOLED}`)).toBe(false);
  });

  it('WE-7: a sync pass that runs through its share of the time still leaves release the rest', async () => {
    let left = 60_000;
    const s = system({ timeLeftMs: () => left });
    await backlog(s, 5);
    // Each execution the sync pass reads takes ten seconds.
    const read = s.store.read.bind(s.store);
    s.store.read = async (id) => {
      left -= 10_000;
      return read(id);
    };
    const report = await reconcile(s.deps);
    expect(report.synced).toBeLessThan(5);
    expect(report.released).toBe(1);
  });

  it('WE-7: release stops at its own budget', async () => {
    const s = system({ maxReleases: 0 });
    await backlog(s, 1);
    expect(await reconcile(s.deps)).toMatchObject({ synced: 1, released: 0 });
  });

  it('WE-15: a sweep that throws keeps its resume point in the store, and the next resumes there', async () => {
    const s = system({ pageSize: 1 });
    await backlog(s, 8);
    const sizes = await Promise.all(
      [...Array(s.store.dueShards).keys()].map(
        async (n) => (await s.store.running(CLUSTER, n, 100)).items.length,
      ),
    );
    const shard = sizes.findIndex((size) => size > 1);
    // The shard's second run is not in the LIST, and the cluster fails the GET that looks for it.
    const second = (await s.store.running(CLUSTER, shard, 100)).items[1]!;
    s.cluster.runs.delete(`${NS}/${second.runName}`);
    s.cluster.fault = (operation) => {
      if (operation === 'get') throw new ClusterUnavailableError('HTTP 503', 503);
    };
    await expect(sweep([{ cluster: CLUSTER, shard }], s.deps)).rejects.toBeInstanceOf(
      ClusterUnavailableError,
    );
    const point = s.store.sweepPoints.get(`${CLUSTER}#${shard}`);
    expect(point).toBeDefined();
    s.cluster.fault = undefined;
    const left = (await s.store.running(CLUSTER, shard, 100)).items.length - 1;
    const next = await sweep([{ cluster: CLUSTER, shard }], s.deps);
    expect(next.synced).toBe(left);
    expect(next.failed).toBe(1); // the run the cluster no longer has: deleted externally
    expect(s.store.sweepPoints.has(`${CLUSTER}#${shard}`)).toBe(false);
  });

  it('WE-15: a poison item is skipped, counted, and never blocks its shard', async () => {
    const s = system({});
    await backlog(s, 6);
    const poison = 'we-0';
    const read = s.store.read.bind(s.store);
    s.store.read = async (id) => {
      if (id.name === poison) throw new Error('a bad item');
      return read(id);
    };
    for (let tick = 0; tick < 2; tick++) {
      const report: ReconcileReport = await reconcile(s.deps);
      expect(report.itemFailures).toBe(1);
      expect(report.synced).toBe(5);
    }
    expect(s.metrics.sum('wfe_sweep_item_failures_total')).toBe(2);
    expect(s.store.sweepPoints.size).toBe(0);
  });
});
