/**
 * §7 "a reconcile tick with 100 active and 10,000 finished executions reads only what is due":
 * items read per tick through the real reconcile handler, with the finished history and without it
 * (the baseline), counted at the DynamoDB client. A Scan of the same table shows what a tick that
 * walked the history would read.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { executionItem } from '../functions/adapters/dynamodb/items.js';
import { pipelineRunName } from '../functions/core/pipeline-run.js';
import { manualClock } from './clock.js';
import { benchCluster } from './cluster.js';
import type { BenchContext } from './context.js';
import { atMost, figure, type Section } from './figures.js';
import { batches, executeHandler, NAMESPACE, reconcileHandler, requestBody } from './handlers.js';
import { kubeMark, kubeRequestsSince } from './kube-requests.js';
import { benchTable, loadItems } from './table.js';
import { difference } from './wire-counter.js';

export async function measureReconcileReads(ctx: BenchContext): Promise<Section> {
  const { active, finished } = ctx.scale.reconcile;
  const clock = manualClock();
  const table = await benchTable(ctx.dynamodbEndpoint, clock, 'reconcile');
  const { kube, cluster, close } = await benchCluster(clock);
  try {
    const wiring = { store: table.store, cluster, clock, cooldownMs: 5 * 60_000 };
    const execute = await executeHandler(wiring);
    const reconcile = await reconcileHandler(wiring);
    const requests = Array.from({ length: active }, (_, i) => ({
      name: `active-${i}`,
      target: `payment/Deployment/active-${i}`,
    }));
    ctx.progress(`reconcile: ${active} active executions`);
    for (const batch of batches(requests, 10))
      await execute.invoke(batch.map((r) => requestBody(r.name, r.target)));
    for (const r of requests) kube.simulator.start(NAMESPACE, pipelineRunName(r.target));
    clock.advance(10_000);
    // The first tick records each run's progress (a write per execution); the measured ticks find nothing new.
    await reconcile.tick();

    const measure = async () => {
      clock.advance(60_000);
      const wire = table.wire.snapshot();
      const k = kubeMark(kube);
      const storeRead = table.store.stats.itemsRead;
      const report = await reconcile.tick();
      return {
        wire: difference(table.wire.snapshot(), wire),
        storeItemsRead: table.store.stats.itemsRead - storeRead,
        kube: kubeRequestsSince(kube, k),
        report,
      };
    };
    const without = await measure();

    ctx.progress(`reconcile: loading ${finished.toLocaleString('en-US')} finished executions`);
    const template = await table.store.read({ cluster: 'default', namespace: 'default', name: 'active-0' });
    if (!template) throw new Error('active-0 was not stored');
    const completionTime = new Date(clock.now().getTime() - 24 * 3600_000).toISOString();
    const history = Array.from({ length: finished }, (_, i) =>
      executionItem(
        {
          ...template,
          id: { cluster: 'default', namespace: 'history', name: `done-${i}` },
          target: `history/Deployment/app-${i}`,
          status: { ...template.status, phase: i % 5 === 0 ? 'Failed' : 'Completed', completionTime },
        },
        4,
        clock.now(),
      ),
    );
    await loadItems(table.doc, table.tableName, history);
    const withHistory = await measure();

    // What a tick that walked the table would read: every item, history included.
    const scanned = await scanCount(table);

    const read = withHistory.wire.itemsRead;
    const flat = read <= without.wire.itemsRead;
    return {
      id: 'reconcile',
      title: `2. Reconcile tick reads (${active} active executions, ${finished.toLocaleString('en-US')} finished)`,
      figures: [
        figure(
          'reconcile.itemsReadWithHistory',
          `items read / tick, ${active} active + ${finished} finished`,
          read,
          'items',
          {
            baseline: {
              label: `${active} active, none finished`,
              value: without.wire.itemsRead,
              unit: 'items',
            },
            target: { text: 'no growth with history', pass: flat },
          },
        ),
        figure('reconcile.readRequests', 'read requests / tick', withHistory.wire.readRequests, 'req', {
          baseline: { label: 'none finished', value: without.wire.readRequests, unit: 'req' },
        }),
        figure('reconcile.scans', 'Scans / tick', withHistory.wire.scans, 'req', {
          target: atMost(withHistory.wire.scans, 0, '0'),
        }),
        figure(
          'reconcile.writeRequests',
          'write requests / tick, nothing changed',
          withHistory.wire.writeRequests,
          'req',
          {
            target: atMost(withHistory.wire.writeRequests, 0, '0 (WE-6: only when changed)'),
            note: 'the summary read back from DynamoDB has its keys in another order, so it always looks changed',
          },
        ),
        figure(
          'reconcile.storeStatsItemsRead',
          'items read / tick, per store.stats',
          withHistory.storeItemsRead,
          'items',
        ),
        figure('reconcile.kubeRequests', 'Kubernetes API requests / tick', withHistory.kube.total, 'req', {
          note: 'one GET of each active PipelineRun and one list of its TaskRuns',
        }),
        figure('reconcile.scanItems', 'items a Scan of the same table reads', scanned, 'items', {
          note: 'for contrast: the cost of a tick that walked the history',
        }),
      ],
      notes: [
        'Running executions and due locks are read from the sparse "due" index; finished executions are not on it.',
        'Measured ticks find every run still in progress with nothing new to record; reads are what any tick pays.',
      ],
      details: { without, withHistory },
    };
  } finally {
    await close();
    await table.destroy();
  }
}

async function scanCount(table: Awaited<ReturnType<typeof benchTable>>): Promise<number> {
  let items = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await table.doc.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start, Select: 'COUNT' }),
    );
    items += out.ScannedCount ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
