/**
 * §7 "per execution lifecycle": DynamoDB requests and items for start → complete → release,
 * through the real execute and reconcile handlers against DynamoDB Local and the built-in
 * Kubernetes API. The clock is injected, so the cooldown passes without waiting.
 */

import type { StoreStats } from '../functions/adapters/dynamodb/execution-table.js';
import { pipelineRunName } from '../functions/core/pipeline-run.js';
import { lockKey } from '../functions/core/target.js';
import { manualClock } from './clock.js';
import { benchCluster } from './cluster.js';
import type { BenchContext } from './context.js';
import { atMost, figure, round, type Section } from './figures.js';
import {
  batches,
  countingQueue,
  executeHandler,
  NAMESPACE,
  reconcileHandler,
  requestBody,
} from './handlers.js';
import { kubeMark, kubeRequestsSince } from './kube-requests.js';
import { benchTable } from './table.js';
import { difference, sum, type WireCounts } from './wire-counter.js';

const COOLDOWN_MS = 5 * 60_000;

const statsDelta = (b: StoreStats, a: StoreStats): StoreStats => ({
  readRequests: b.readRequests - a.readRequests,
  itemsRead: b.itemsRead - a.itemsRead,
  writeRequests: b.writeRequests - a.writeRequests,
  itemsWritten: b.itemsWritten - a.itemsWritten,
  scans: b.scans - a.scans,
});

export async function measureLifecycle(ctx: BenchContext): Promise<Section> {
  const n = ctx.scale.lifecycle.executions;
  const clock = manualClock();
  const table = await benchTable(ctx.dynamodbEndpoint, clock, 'lifecycle');
  const { kube, cluster, close } = await benchCluster(clock);
  try {
    const wiring = { store: table.store, cluster, clock, cooldownMs: COOLDOWN_MS };
    const queue = countingQueue();
    const execute = await executeHandler(wiring, queue);
    const reconcile = await reconcileHandler(wiring);
    const requests = Array.from({ length: n }, (_, i) => ({
      name: `lifecycle-${i}`,
      target: `payment/Deployment/lifecycle-${i}`,
    }));
    const targets = requests.map((r) => r.target);

    const wire0 = table.wire.snapshot();
    const stats0 = { ...table.store.stats };
    const kube0 = kubeMark(kube);

    ctx.progress(`lifecycle: starting ${n} executions`);
    for (const batch of batches(requests, 10)) {
      const out = await execute.invoke(batch.map((r) => requestBody(r.name, r.target)));
      if (out.batchItemFailures.length > 0)
        throw new Error(`execute failed ${out.batchItemFailures.length} record(s)`);
    }
    const wireStarted = table.wire.snapshot();

    // Two ticks see the runs in progress, as a 1-minute schedule does for any run longer than that:
    // the first records Tekton's progress (a real change), the second finds nothing new.
    for (const t of targets) kube.simulator.start(NAMESPACE, pipelineRunName(t));
    clock.advance(60_000);
    await reconcile.tick();
    const wireFirstRunningTick = table.wire.snapshot();
    clock.advance(60_000);
    await reconcile.tick();
    const wireRunning = table.wire.snapshot();

    clock.advance(30_000);
    for (const t of targets) kube.simulator.succeed(NAMESPACE, pipelineRunName(t));
    const completed = await reconcile.tick();
    if (completed.completed !== n) throw new Error(`reconcile completed ${completed.completed} of ${n}`);
    const wireCompleted = table.wire.snapshot();

    clock.advance(COOLDOWN_MS + 1000);
    const released = await reconcile.tick();
    if (released.released !== n) throw new Error(`reconcile released ${released.released} of ${n}`);
    const wireReleased = table.wire.snapshot();
    const stats = statsDelta(table.store.stats, stats0);
    const kubeCalls = kubeRequestsSince(kube, kube0);

    // Checked after the counts are taken, so the check itself is not counted.
    for (const t of targets.slice(0, 3)) {
      if (await table.store.readLock(lockKey('default', t))) throw new Error(`lock for ${t} still held`);
    }
    if (queue.deferred + queue.deadLettered > 0) throw new Error('a request was deferred or dead-lettered');

    const per = (v: number) => round(v / n, 2);
    const all = difference(wireReleased, wire0);
    const start = difference(wireStarted, wire0);
    const firstTick = difference(wireFirstRunningTick, wireStarted);
    const laterTick = difference(wireRunning, wireFirstRunningTick);
    const complete = difference(wireCompleted, wireRunning);
    const release = difference(wireReleased, wireCompleted);
    // start → complete → release: the three steps the SPEC counts, without the ticks in between.
    const core = sum([start, complete, release]);
    const phase = (d: WireCounts) => ({
      writeRequests: per(d.writeRequests),
      itemsWritten: per(d.itemsWritten),
      readRequests: per(d.readRequests),
      itemsRead: per(d.itemsRead),
      byCommand: d.byCommand,
    });
    const writes = per(core.writeRequests);
    const idleWrites = per(laterTick.writeRequests);
    const allScans = all.scans;
    return {
      id: 'lifecycle',
      title: `1. DynamoDB per execution lifecycle (start → complete → release; ${n} executions)`,
      figures: [
        figure('lifecycle.writeRequests', 'write requests / execution', writes, 'req', {
          target: atMost(writes, 3, '≤ 3'),
          note: 'acquire (Pending + lock), Running (+ lock + audit), Completed (+ audit + lock cooldown), release (lock delete + LockReleased)',
        }),
        figure('lifecycle.transactions', 'of which TransactWriteItems', per(core.transactions), 'req'),
        figure('lifecycle.itemsWritten', 'items written / execution', per(core.itemsWritten), 'items'),
        figure('lifecycle.readRequests', 'read requests / execution', per(core.readRequests), 'req', {
          note: `includes the two ticks’ index queries, shared by all ${n}`,
        }),
        figure('lifecycle.itemsRead', 'items read / execution', per(core.itemsRead), 'items'),
        figure('lifecycle.scans', 'Scans / execution (every step and tick)', per(allScans), 'req', {
          target: atMost(allScans, 0, '0'),
        }),
        figure(
          'lifecycle.firstRunningTickWrites',
          '+ writes at the first tick that sees the run going',
          per(firstTick.writeRequests),
          'req',
          {
            note: 'records Tekton’s progress: a real change',
          },
        ),
        figure(
          'lifecycle.idleRunningTickWrites',
          '+ writes at each later tick, nothing changed',
          idleWrites,
          'req',
          {
            target: atMost(idleWrites, 0, '0 (WE-6: only when changed)'),
            note: 'a tick writes a running execution only when its summary changed',
          },
        ),
        figure(
          'lifecycle.storeStatsReadRequests',
          'read requests / execution, per store.stats (all steps)',
          per(stats.readRequests),
          'req',
          {
            baseline: { label: 'counted on the wire', value: per(all.readRequests), unit: 'req' },
            note: 'the store’s own counter (ExecutionStore.stats), checked against the wire',
          },
        ),
        figure('lifecycle.kubeRequests', 'Kubernetes API requests / execution', per(kubeCalls.total), 'req', {
          note: 'over every step and tick',
        }),
      ],
      notes: [
        'Counted at the DynamoDB client (a middleware sees every command); injected clock, cooldown 5m passed by advancing it.',
        'Each reconcile tick handled all executions at once, so its index queries are shared.',
        'store.stats is the store’s own counter of its reads (read, readLock, the index queries); it must agree with the wire.',
      ],
      details: {
        executions: n,
        startCompleteRelease: core,
        storeStats: stats,
        perExecutionByStep: {
          start: phase(start),
          firstRunningTick: phase(firstTick),
          laterRunningTick: phase(laterTick),
          complete: phase(complete),
          release: phase(release),
        },
        kubernetes: kubeCalls.byKind,
      },
    };
  } finally {
    await close();
    await table.destroy();
  }
}
