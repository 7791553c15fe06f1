/**
 * SPEC §6: a crash between any two steps (lock taken / PipelineRun created / status written) —
 * redelivery or the next tick finishes the job, no lock leaks, no duplicate run or audit record.
 * Runs against DynamoDB Local and the built-in Kubernetes API through the real client.
 */

import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execute } from '../../functions/core/execute.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { Cluster, ExecutionStore } from '../../functions/core/ports.js';
import { reconcile } from '../../functions/core/reconcile.js';
import type { StateChange } from '../../functions/core/state-change.js';
import { Crash, type CrashPoint, crashing } from '../fakes/crash.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from '../fakes/recorders.js';
import { body } from '../fixtures/manifests.js';
import { ENGINE_SETTINGS, type Engines, startEngines } from '../setup/engines.js';

const NS = 'kubernaut-workflows';
const TARGET = 'default/deployment/test-app';
const RUN = pipelineRunName(TARGET);
const settings = ENGINE_SETTINGS;

let engines: Engines;
beforeEach(async () => {
  engines = await startEngines();
});
afterEach(async () => {
  await engines.stop();
});

const deps = (store: ExecutionStore = engines.store, cluster: Cluster = engines.cluster) => ({
  store,
  clusters: () => cluster,
  queue: new RecordingQueue(),
  clock: engines.clock,
  metrics: new RecordingMetrics(),
  log: new RecordingLog(),
  settings,
  budget: { pageSize: 50, maxItems: 500, timeLeftMs: () => 60_000 },
});

const writesWith = (type: string) => (change: unknown) =>
  (change as StateChange).audit?.some((a) => a.event_type === type) ?? false;
const releases = (change: unknown) => (change as StateChange).lock?.op === 'delete';

async function auditCounts() {
  const out = await engines.table.doc.send(new ScanCommand({ TableName: engines.table.tableName }));
  const counts: Record<string, number> = {};
  for (const item of out.Items ?? []) {
    const type = (item.event as { event_type?: string } | undefined)?.event_type;
    if (type) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

const runs = () => engines.kube.store.list('pipelineruns', NS);

describe('crash points in execute: redelivery finishes the job', () => {
  const points: [string, 'store' | 'cluster', CrashPoint][] = [
    ['before the lock is taken', 'store', { method: 'write', call: 1, when: 'before' }],
    ['after the lock is taken', 'store', { method: 'write', call: 1, when: 'after' }],
    [
      'before the PipelineRun is created',
      'cluster',
      { method: 'createPipelineRun', call: 1, when: 'before' },
    ],
    ['after the PipelineRun is created', 'cluster', { method: 'createPipelineRun', call: 1, when: 'after' }],
    [
      'after Running is written (message not yet deleted)',
      'store',
      { method: 'write', call: 1, when: 'after', matches: writesWith('workflow.started') },
    ],
  ];
  it.each(points)('%s', async (_name, port, point) => {
    const faulty =
      port === 'store'
        ? deps(crashing(engines.store, point))
        : deps(engines.store, crashing(engines.cluster, point));
    await expect(execute(body({ name: 'we-1' }), faulty)).rejects.toBeInstanceOf(Crash);
    const redelivered = await execute(body({ name: 'we-1' }), deps());
    expect(['started', 'already-done']).toContain(redelivered.kind);
    const e = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-1' });
    expect(e?.status.phase).toBe('Running');
    expect(runs()).toHaveLength(1);
    expect(await auditCounts()).toEqual({ 'workflow.started': 1 });
    expect((await engines.store.readLock(`default#${TARGET}`))?.state).toBe('running');
    console.log(`crash ${_name}: runs=1 started=1 lock=running`);
  });

  it('a crash after the lock with no redelivery at all: the lease frees the lock (WE-8)', async () => {
    await expect(
      execute(
        body({ name: 'we-1' }),
        deps(crashing(engines.store, { method: 'write', call: 1, when: 'after' })),
      ),
    ).rejects.toBeInstanceOf(Crash);
    engines.clock.advance(settings.leaseMs);
    expect(await reconcile(deps())).toMatchObject({ stuck: 1 });
    expect(await engines.store.readLock(`default#${TARGET}`)).toBeUndefined();
    expect(
      (await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-1' }))?.status.phase,
    ).toBe('Failed');
  });
});

describe('crash points in reconcile: the next tick finishes the job', () => {
  async function started() {
    await execute(body({ name: 'we-1' }), deps());
    engines.kube.simulator.start(NS, RUN);
    engines.kube.simulator.succeed(NS, RUN);
  }

  const sync: [string, 'store' | 'cluster', CrashPoint][] = [
    [
      'after reading the run, before writing Completed',
      'store',
      { method: 'write', call: 1, when: 'before', matches: writesWith('workflow.completed') },
    ],
    [
      'after writing Completed, before the Event',
      'store',
      { method: 'write', call: 1, when: 'after', matches: writesWith('workflow.completed') },
    ],
  ];
  it.each(sync)('sync: %s', async (_name, _port, point) => {
    await started();
    // The sweep counts the item that died and goes on (a poison item never stops it).
    expect(await reconcile(deps(crashing(engines.store, point)))).toMatchObject({ itemFailures: 1 });
    await reconcile(deps());
    expect(
      (await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-1' }))?.status.phase,
    ).toBe('Completed');
    expect(await auditCounts()).toEqual({ 'workflow.started': 1, 'workflow.completed': 1 });
    console.log(
      `crash in reconcile ${_name}: next tick → Completed, workflow.started=1, workflow.completed=1`,
    );
  });

  const release: [string, 'store' | 'cluster', CrashPoint][] = [
    [
      'after the run is deleted, before the lock is',
      'cluster',
      { method: 'deletePipelineRun', call: 1, when: 'after' },
    ],
    ['before the lock is deleted', 'store', { method: 'write', call: 1, when: 'before', matches: releases }],
    [
      'after the lock is deleted, before the Event',
      'store',
      { method: 'write', call: 1, when: 'after', matches: releases },
    ],
  ];
  it.each(release)('release: %s', async (_name, port, point) => {
    await started();
    await reconcile(deps());
    engines.clock.advance(settings.cooldownMs);
    const faulty =
      port === 'store'
        ? deps(crashing(engines.store, point))
        : deps(engines.store, crashing(engines.cluster, point));
    expect(await reconcile(faulty)).toMatchObject({ itemFailures: 1 });
    await reconcile(deps());
    expect(await engines.store.readLock(`default#${TARGET}`)).toBeUndefined();
    expect(runs()).toHaveLength(0);
    const e = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-1' });
    expect(e?.status.conditions.LockReleased?.status).toBe('True');
    // A waiter can start at once.
    expect(await execute(body({ name: 'we-2' }), deps())).toMatchObject({ kind: 'started' });
    console.log(
      `crash in reconcile ${_name}: next tick → lock released, runs left=0, LockReleased=True, waiter started`,
    );
  });
});
