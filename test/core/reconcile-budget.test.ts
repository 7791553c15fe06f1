/**
 * A reconcile tick's budget (WE-7, WE-15): release has its own, so a sync pass that uses up its
 * budget or its time never starves lock release; a tick that throws still says where to resume.
 */
import { describe, expect, it } from 'vitest';
import { execute } from '../../functions/core/execute.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import { type ReconcileDeps, type ReconcileReport, reconcile } from '../../functions/core/reconcile.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from '../fakes/recorders.js';
import { body } from '../fixtures/manifests.js';

const NS = 'kubernaut-workflows';
const COOLED = 'default/deployment/cooled';

function system(budget: Partial<ReconcileDeps['budget']>) {
  const store = new MemoryStore();
  const cluster = new MemoryCluster();
  const clock = fixedClock('2026-03-01T10:00:00Z');
  const settings = { namespace: NS, clusterName: 'default', cooldownMs: 10_000, leaseMs: 15 * 60_000 };
  const ports = { store, cluster, clock, metrics: new RecordingMetrics(), log: new RecordingLog() };
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
  return { store, cluster, clock, deps, start };
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
    expect(report.resumeAt).toBeDefined();
    expect(s.store.locks.has(`default#${COOLED}`)).toBe(false);
  });

  it('WE-7: a sync pass that runs through its share of the time still leaves release the rest', async () => {
    let left = 60_000;
    const s = system({ timeLeftMs: () => left });
    await backlog(s, 5);
    s.cluster.fault = (operation) => {
      if (operation === 'get') left -= 10_000;
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

  it('WE-15: a tick that throws keeps its resume point in the report it was given', async () => {
    const s = system({ maxItems: 3 });
    await backlog(s, 5);
    let gets = 0;
    s.cluster.fault = (operation) => {
      if (operation === 'get' && ++gets === 1) throw new Error('a bad item');
    };
    const report: ReconcileReport = { synced: 0, completed: 0, failed: 0, released: 0, stuck: 0, skipped: 0 };
    await expect(reconcile(s.deps, undefined, report)).rejects.toThrow('a bad item');
    expect(report.resumeAt).toBeDefined();
    expect(report.released).toBe(1);
  });
});
