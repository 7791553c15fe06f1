/**
 * WE-14 "fleet scale": one full sweep of N Running executions (beside 2N finished) through the real
 * reconcile handler, fanned out as deployed (the schedule's invocation sends one message per shard,
 * DEPLOYED.sweepConcurrency workers take them); and the busiest index key value's share of the index
 * writes over a burst of requests through the real execute handler, counted from the items written
 * (the table's stream). Beside each, the design before sharding, computed from its code (said so).
 */
import { executionItem, type Item } from '../functions/adapters/dynamodb/items.js';
import type { Execution } from '../functions/core/execution.js';
import { buildPipelineRun, pipelineRunName } from '../functions/core/pipeline-run.js';
import type { Cluster, SweepMessage } from '../functions/core/ports.js';
import { runOutcome } from '../functions/core/run-status.js';
import { DEPLOYED } from '../local/deployed-settings.js';
import type { KubeApi } from '../local/kube-api/index.js';
import { type ManualClock, manualClock } from './clock.js';
import { benchCluster } from './cluster.js';
import type { BenchContext } from './context.js';
import { atMost, figure, round, type Section } from './figures.js';
import { batches, executeHandler, NAMESPACE, reconcileHandler, requestBody } from './handlers.js';
import { busiest, DUE_INDEX, indexWrites, LISTING_INDEXES } from './index-writes.js';
import { kubeMark } from './kube-requests.js';
import { itemHistories } from './stream-history.js';
import { type BenchTable, benchTable, loadItems } from './table.js';
import { difference } from './wire-counter.js';

const COOLDOWN_MS = 5 * 60_000;
/** The design before sharding, from its code (issue 15): ≈ 20 ms a GET, 3 TaskRuns a run, one instance. */
const BEFORE = { tasksPerRun: 3, executionsPerTick: 700, tickSeconds: 60, dueKeyValues: 2 };
/**
 * The burst's steps before, from that design's code (bench/README.md's table): `running` takes the
 * execution's put, `lock` the lock's put and its move to running (leaseUntil moved: delete + put).
 */
const BEFORE_DUE_WRITES = { running: 1, lock: 3 };
const BEFORE_BUSIEST_SHARE = 75;
const BEFORE_BUSIEST_AT_500 = 500 * BEFORE_DUE_WRITES.lock;
const PARTITION_WCU = 1000;

export async function measureFleet(ctx: BenchContext): Promise<Section> {
  const { running, burst } = ctx.scale.fleet;
  const sweep = await measureSweep(ctx, running);
  const writes = await measureBurst(ctx, burst);
  const beforeKube = running * (1 + BEFORE.tasksPerRun);
  const beforeSeconds = Math.ceil(running / BEFORE.executionsPerTick) * BEFORE.tickSeconds;
  const computed = 'before (computed from its code)';
  return {
    id: 'fleet',
    title: `WE-14. Fleet: one full sweep of ${running.toLocaleString('en-US')} Running + ${(2 * running).toLocaleString('en-US')} finished; index writes over ${burst} requests`,
    figures: [
      figure(
        'fleet.sweep.seconds',
        'one full sweep, wall time (fan-out to the last shard)',
        sweep.seconds,
        's',
        {
          baseline: {
            label: `${computed}: ≈ ${BEFORE.executionsPerTick} executions per 60 s tick`,
            value: beforeSeconds,
            unit: 's',
          },
        },
      ),
      figure('fleet.sweep.kubeRequests', 'Kubernetes requests per sweep', sweep.kube.total, 'req', {
        baseline: {
          label: `${computed}: a GET per run + per TaskRun (${BEFORE.tasksPerRun})`,
          value: beforeKube,
          unit: 'req',
        },
        note: `${sweep.kube.listPages} LIST pages (${DEPLOYED.sweepConcurrency} workers, each shard lists the namespace), ${sweep.kube.gets} GETs`,
      }),
      figure('fleet.sweep.listPages', 'PipelineRun LIST pages per sweep', sweep.kube.listPages, 'pages'),
      figure('fleet.sweep.itemsRead', 'DynamoDB items read per sweep', sweep.wire.itemsRead, 'items', {
        baseline: {
          label: `${computed}: the whole Running item per execution`,
          value: running,
          unit: 'items',
        },
      }),
      figure('fleet.sweep.readRequests', 'DynamoDB read requests per sweep', sweep.wire.readRequests, 'req'),
      figure(
        'fleet.sweep.writeRequests',
        'DynamoDB write requests per sweep, nothing changed',
        sweep.wire.writeRequests,
        'req',
        {
          target: atMost(sweep.wire.writeRequests, 0, '0 (WE-6: only when changed)'),
        },
      ),
      figure(
        'fleet.sweep.unfinishedShards',
        'shards whose sweep stopped short (resume point left)',
        sweep.unfinished,
        'shards',
        {
          target: atMost(sweep.unfinished, 0, '0'),
        },
      ),
      figure(
        'fleet.burst.dueBusiestShare',
        "due index: busiest key value's share of its writes",
        writes.due.share,
        '%',
        {
          baseline: {
            label: `${computed}: ${BEFORE.dueKeyValues} key values, \`lock\` ${BEFORE_DUE_WRITES.lock} of ${BEFORE_DUE_WRITES.lock + BEFORE_DUE_WRITES.running} writes a request`,
            value: BEFORE_BUSIEST_SHARE,
            unit: '%',
          },
          note: `${writes.due.key}: ${writes.due.writes} of ${writes.due.total} over ${writes.due.keyValues} key values`,
        },
      ),
      figure(
        'fleet.burst.allBusiestShare',
        "all indexes: busiest key value's share of index writes",
        writes.all.share,
        '%',
        {
          note: `${writes.all.key}: ${writes.all.writes} of ${writes.all.total} over ${writes.all.keyValues} key values`,
        },
      ),
      figure(
        'fleet.burst.busiestAt500',
        'busiest key value at 500 requests/s (scaled from the burst)',
        writes.all.at500,
        'writes/s',
        {
          baseline: { label: `${computed}: \`lock\``, value: BEFORE_BUSIEST_AT_500, unit: 'writes/s' },
          target: atMost(writes.all.at500, PARTITION_WCU, `≤ ${PARTITION_WCU} per partition`),
        },
      ),
    ],
    notes: [
      `Seeded with batch writes: each Running execution has its PipelineRun started in the built-in cluster and the run summary it shows recorded, so the sweep finds nothing new (the steady state of every minute); the finished ones have no run.`,
      'The burst is the execute part of each request (taken, Running, run recorded); index writes are counted from the table stream, each entry a write when its key or a projected attribute changes.',
      'Before: issue 15 and bench/README.md, computed from the code before sharding (not measured).',
    ],
    details: { sweep, writes },
  };
}

async function measureSweep(ctx: BenchContext, running: number) {
  const clock = manualClock();
  const table = await benchTable(ctx.dynamodbEndpoint, clock, 'fleet');
  const { kube, cluster, close } = await benchCluster(clock);
  try {
    const wiring = { store: table.store, cluster, clock, cooldownMs: COOLDOWN_MS };
    const execute = await executeHandler(wiring);
    await execute.invoke([requestBody('fleet-0', 'fleet/Deployment/app-0')]);
    const template = await table.store.read({ cluster: 'default', namespace: 'default', name: 'fleet-0' });
    if (!template?.manifest) throw new Error('fleet-0 was not stored');
    ctx.progress(`fleet: seeding ${running} Running executions with their PipelineRuns`);
    const seeded = await seedRunning(template, running, cluster, kube, clock);
    ctx.progress(`fleet: seeding ${2 * running} finished executions`);
    await loadItems(table.doc, table.tableName, [...seeded, ...finished(template, 2 * running, clock)]);
    clock.advance(60_000);

    const messages: SweepMessage[] = [];
    const reconcile = await reconcileHandler(wiring, { send: async (m) => void messages.push(...m) });
    // One handler instance per worker: an instance runs one invocation at a time, as in Lambda.
    const workers = await Promise.all(
      Array.from({ length: DEPLOYED.sweepConcurrency }, () => reconcileHandler(wiring)),
    );
    ctx.progress('fleet: one full sweep');
    const wire = table.wire.snapshot();
    const mark = kubeMark(kube);
    const began = performance.now();
    await reconcile.tick();
    const failures: string[] = [];
    await Promise.all(
      workers.map(async (worker) => {
        for (let m = messages.shift(); m; m = messages.shift()) {
          const out = await worker.sweepShard(JSON.stringify(m));
          failures.push(...out.batchItemFailures.map((f) => f.itemIdentifier));
        }
      }),
    );
    const seconds = round((performance.now() - began) / 1000, 2);
    if (failures.length > 0) throw new Error(`${failures.length} shard messages failed`);
    const counts = difference(table.wire.snapshot(), wire);
    const kubeCounts = listsAndGets(kube, mark);
    const points = await Promise.all(
      Array.from({ length: table.store.dueShards }, (_, shard) => table.store.sweepPoint('default', shard)),
    );
    return {
      seconds,
      wire: counts,
      kube: kubeCounts,
      unfinished: points.filter((p) => p !== undefined).length,
    };
  } finally {
    await close();
    await table.destroy();
  }
}

/** Kubernetes requests since `from`: LIST pages of a collection, GETs of one object. */
function listsAndGets(kube: KubeApi, from: number) {
  const records = kube.requests.list().slice(from);
  let listPages = 0;
  let gets = 0;
  for (const r of records) {
    const parts = r.path.split('/');
    const resource = parts.indexOf('namespaces') + 2;
    if (r.method !== 'GET') continue;
    if (parts.length === resource + 1) listPages++;
    else gets++;
  }
  return { total: records.length, listPages, gets };
}

/** N Running executions like `template`, each with its own target and its PipelineRun running in the cluster. */
async function seedRunning(
  template: Execution,
  count: number,
  cluster: Cluster,
  kube: KubeApi,
  clock: ManualClock,
): Promise<Item[]> {
  const manifest = template.manifest!;
  const executions = Array.from({ length: count }, (_, i): Execution => {
    const target = `fleet/Deployment/app-${i}`;
    return {
      ...template,
      id: { cluster: 'default', namespace: 'default', name: `fleet-${i}` },
      target,
      manifest: {
        ...manifest,
        metadata: { ...manifest.metadata, name: `fleet-${i}` },
        spec: { ...manifest.spec, targetResource: target },
      },
    };
  });
  for (const group of batches(executions, 20))
    await Promise.all(
      group.map(async (e) => {
        await cluster.createPipelineRun(
          buildPipelineRun(e.manifest!, { namespace: NAMESPACE, serviceAccountName: 'bench' }),
        );
        kube.simulator.start(NAMESPACE, pipelineRunName(e.target));
      }),
    );
  // The summary each run shows, as the sweep will list it, recorded as a sweep before would have.
  const summaries = new Map<string, ReturnType<typeof runOutcome>['summary']>();
  let cursor: string | undefined;
  do {
    const page = await cluster.listPipelineRuns(NAMESPACE, 500, cursor);
    for (const run of page.items) summaries.set(run.name, runOutcome(run).summary);
    cursor = page.cursor;
  } while (cursor);
  const startTime = clock.now().toISOString();
  return executions.map((e) => {
    const runName = pipelineRunName(e.target);
    return executionItem(
      {
        ...e,
        status: {
          ...e.status,
          phase: 'Running',
          startTime,
          pipelineRunRef: { name: runName },
          pipelineRunStatus: summaries.get(runName),
        },
      },
      e.version,
      clock.now(),
    );
  });
}

/** Finished executions a day old: on no due index, as history is. */
function finished(template: Execution, count: number, clock: ManualClock): Item[] {
  const completionTime = new Date(clock.now().getTime() - 24 * 3600_000).toISOString();
  return Array.from({ length: count }, (_, i) =>
    executionItem(
      {
        ...template,
        id: { cluster: 'default', namespace: 'history', name: `done-${i}` },
        target: `history/Deployment/app-${i}`,
        status: { ...template.status, phase: i % 5 === 0 ? 'Failed' : 'Completed', completionTime },
      },
      template.version,
      clock.now(),
    ),
  );
}

/** Index writes per key value over `count` requests through execute, from the items the table was written with. */
async function measureBurst(ctx: BenchContext, count: number) {
  const clock = manualClock();
  const table: BenchTable = await benchTable(ctx.dynamodbEndpoint, clock, 'fleet-burst');
  const { cluster, close } = await benchCluster(clock);
  try {
    const execute = await executeHandler({ store: table.store, cluster, clock, cooldownMs: COOLDOWN_MS });
    ctx.progress(`fleet: a burst of ${count} requests through execute`);
    const requests = Array.from({ length: count }, (_, i) =>
      requestBody(`burst-${i}`, `payment/Deployment/api-${i}`),
    );
    for (const batch of batches(requests, DEPLOYED.requests.batchSize)) await execute.invoke(batch);
    const histories = await itemHistories(table.client, ctx.dynamodbEndpoint, table.tableName);
    const summary = (writes: Map<string, number>) => {
      const top = busiest(writes);
      return {
        ...top,
        keyValues: writes.size,
        share: round((100 * top.writes) / Math.max(1, top.total), 1),
        at500: round((top.writes / count) * 500, 0),
      };
    };
    return {
      requests: count,
      due: summary(indexWrites(histories, [DUE_INDEX])),
      all: summary(indexWrites(histories, [DUE_INDEX, ...LISTING_INDEXES])),
    };
  } finally {
    await close();
    await table.destroy();
  }
}
