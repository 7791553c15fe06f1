/**
 * §7 "cooldown start-up lands within 1 s of the cooldown's end", for the waiter: a request that
 * arrives while its target cools down is re-sent by execute to the request queue with
 * DelaySeconds; this measures from the cooldown's end (the lock's releaseAt) to the waiter's
 * startTime, through a real local SQS (local-aws-sqs honours DelaySeconds), the local queue poller
 * and the execute handler, on the real clock. Measured with the deployed batching window (none)
 * and with 1 s for comparison, since a window adds to every deferred start; the §7 target is
 * checked on the deployed one.
 *
 * Per sample: a holder runs; its run succeeds; a reconcile tick records Completed and starts the
 * cooldown; after a random pause the waiter is sent to execute, which defers it.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsRequestQueue } from '../functions/adapters/sqs/request-queue.js';
import { systemClock, sleep as waitInPlace } from '../functions/adapters/system-clock.js';
import { pipelineRunName } from '../functions/core/pipeline-run.js';
import { lockKey } from '../functions/core/target.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/aws/dynamodb-local.js';
import { startQueuePoller } from '../local/aws/queue-poller.js';
import { startLocalSqs } from '../local/aws/sqs.js';
import { DEPLOYED } from '../local/deployed-settings.js';
import { benchCluster } from './cluster.js';
import type { BenchContext } from './context.js';
import { atMost, type Figure, figure, round, type Section } from './figures.js';
import { batches, executeHandler, NAMESPACE, reconcileHandler, requestBody } from './handlers.js';
import { sleep, summarize } from './stats.js';
import { benchTable } from './table.js';

/** Holders ended by one reconcile tick. */
const ROUND = 5;

/**
 * One waiter. lateness = rounding + delivery + execute: the message becomes visible `rounding`
 * after the cooldown's end (≤ 0: early), is handed to execute `delivery` later, which waits out
 * what is left of the cooldown and starts it `execute` later.
 */
interface Sample {
  waiter: string;
  releaseAt: number;
  deferredAt: number;
  startedAt: number;
  /**
   * ⌊time left⌋ − time left (≤ 0): DelaySeconds is whole seconds and execute rounds down, so the
   * message comes back up to a second early and execute waits the rest out in place.
   */
  roundingMs: number;
  deliveryMs: number;
  executeMs: number;
  latenessMs: number;
}

const requestName = (body: string): string => {
  try {
    return String((JSON.parse(body) as { metadata?: { name?: unknown } }).metadata?.name ?? '');
  } catch {
    return '';
  }
};

export async function measureWaiterLateness(ctx: BenchContext): Promise<Section> {
  const { samples, cooldownMs, batchingWindowsSeconds } = ctx.scale.waiter;
  const { cluster, kube, close } = await benchCluster();
  const sqs = await startLocalSqs();
  const sqsClient = new SQSClient({
    endpoint: sqs.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  try {
    for (const windowSeconds of batchingWindowsSeconds) {
      const label =
        windowSeconds === DEPLOYED.requests.maxBatchingWindowSeconds
          ? `window ${windowSeconds} s (as deployed)`
          : `window ${windowSeconds} s`;
      ctx.progress(`waiter lateness: ${samples} samples, poller ${label}`);
      const table = await benchTable(ctx.dynamodbEndpoint, systemClock, `waiter-${windowSeconds}`);
      const wiring = { store: table.store, cluster, clock: systemClock, sleep: waitInPlace, cooldownMs };
      const queue = sqsRequestQueue(sqsClient, { queueUrl: sqs.requests.url, dlqUrl: sqs.requestsDlq.url });
      const errors: string[] = [];
      // When the poller invoked execute with each waiter: splits lateness into delivery and execution.
      const invokedAt = new Map<string, number>();
      const pollerHandler = (await executeHandler(wiring, queue)).handler;
      const poller = startQueuePoller({
        sqs: sqsClient,
        queue: sqs.requests,
        functionName: 'wfe-execute',
        timeoutMs: DEPLOYED.timeoutsMs.execute,
        handler: (event, context) => {
          const now = Date.now();
          for (const r of event.Records) invokedAt.set(requestName(r.body), now);
          return pollerHandler(event, context);
        },
        batchSize: DEPLOYED.requests.batchSize,
        batchingWindowSeconds: windowSeconds,
        onError: (err, about) => errors.push(`${about.source}: ${about.detail ?? ''} ${String(err)}`),
      });
      try {
        const run = await sampleWaiters(ctx, {
          table,
          wiring,
          queue,
          kube,
          invokedAt,
          prefix: `w${windowSeconds}`,
        });
        if (errors.length > 0) throw new Error(`queue poller: ${errors[0]}`);
        const lateness = summarize(run.samples.map((s) => s.latenessMs));
        const rounding = summarize(run.samples.map((s) => s.roundingMs));
        const delivery = summarize(run.samples.map((s) => s.deliveryMs));
        const execution = summarize(run.samples.map((s) => s.executeMs));
        const id = `waiter.window${windowSeconds}s`;
        const n = `${lateness.n} of ${samples}${run.notDeferred > 0 ? `; ${run.notDeferred} came after the cooldown` : ''}`;
        figures.push(
          figure(`${id}.p50`, `waiter start lateness p50, ${label}, n=${n}`, round(lateness.p50, 0), 'ms', {
            baseline: {
              label: 'DelaySeconds rounding alone, p50',
              value: round(rounding.p50, 0),
              unit: 'ms',
            },
          }),
          figure(`${id}.p95`, `waiter start lateness p95, ${label}`, round(lateness.p95, 0), 'ms', {
            baseline: { label: 'rounding p95', value: round(rounding.p95, 0), unit: 'ms' },
          }),
          figure(`${id}.max`, `waiter start lateness max, ${label}`, round(lateness.max, 0), 'ms', {
            baseline: { label: 'rounding max', value: round(rounding.max, 0), unit: 'ms' },
            target:
              windowSeconds === DEPLOYED.requests.maxBatchingWindowSeconds
                ? atMost(lateness.max, 1000, '≤ 1000 ms, every sample')
                : undefined,
          }),
          figure(
            `${id}.deliveryP50`,
            `  of which queue delivery p50 (visible → invoked)`,
            round(delivery.p50, 0),
            'ms',
            {
              note: 'the poller’s polling and batching window',
            },
          ),
          figure(
            `${id}.executeP50`,
            `  of which execute p50 (invoked → started)`,
            round(execution.p50, 0),
            'ms',
            {
              note: 'reads, the wait in place for the rest of the cooldown, the lock taken over; startTime is when execute asks the cluster for the run',
            },
          ),
        );
        details[`window${windowSeconds}s`] = {
          lateness,
          rounding,
          delivery,
          execute: execution,
          notDeferred: run.notDeferred,
          samples: run.samples,
        };
      } finally {
        await poller.stop();
        await table.destroy();
      }
    }
  } finally {
    sqsClient.destroy();
    await sqs.close();
    await close();
  }
  return {
    id: 'waiter',
    title: `3a. Cooldown start-up: deferred waiter's start after the cooldown ends (cooldown ${cooldownMs / 1000} s)`,
    figures,
    notes: [
      'Real clock, local SQS with DelaySeconds, the local queue poller (batch size 10) and the execute handler.',
      'SQS delays are whole seconds: execute asks for ⌊time left⌋, so the message is back 0–1 s early (the baseline column, ≤ 0) and execute waits the rest out in place (inside "execute").',
      'A batching window holds a lone message for the whole window before invoking (Lambda does the same).',
    ],
    details,
  };
}

async function sampleWaiters(
  ctx: BenchContext,
  env: {
    table: Awaited<ReturnType<typeof benchTable>>;
    wiring: Parameters<typeof executeHandler>[0];
    queue: Parameters<typeof executeHandler>[1];
    kube: Awaited<ReturnType<typeof benchCluster>>['kube'];
    invokedAt: Map<string, number>;
    prefix: string;
  },
): Promise<{ samples: Sample[]; notDeferred: number }> {
  const { samples: n, cooldownMs } = ctx.scale.waiter;
  const { table, wiring, kube, prefix } = env;
  const direct = await executeHandler(wiring, env.queue);
  const reconcile = await reconcileHandler(wiring);
  const targets = Array.from({ length: n }, (_, i) => ({
    target: `payment/Deployment/${prefix}-app-${i}`,
    holder: `${prefix}-holder-${i}`,
    waiter: `${prefix}-waiter-${i}`,
  }));
  const samples: Sample[] = [];
  let notDeferred = 0;
  // Rounds of a few, one after the other so that they do not compete for the CPU: the round's
  // holders start (only now, so that earlier ticks have less to look at), one tick ends them, their
  // waiters come in at random moments, then the round waits for them.
  for (const round of batches(targets, ROUND)) {
    const out = await direct.invoke(round.map((t) => requestBody(t.holder, t.target)));
    if (out.batchItemFailures.length > 0) throw new Error('a holder did not start');
    for (const t of round) kube.simulator.succeed(NAMESPACE, pipelineRunName(t.target));
    await reconcile.tick();
    const deferred = await Promise.all(
      round.map(async (t) => {
        const lock = await table.store.readLock(lockKey('default', t.target));
        // A random moment inside the cooldown, so the whole-second rounding is sampled evenly.
        await sleep(Math.random() * 500);
        // A handler instance per concurrent invocation, as Lambda runs one per container.
        await (await executeHandler(wiring, env.queue)).invoke([requestBody(t.waiter, t.target)]);
        const waiter = await table.store.read({ cluster: 'default', namespace: 'default', name: t.waiter });
        const cooling = waiter?.status.conditions.CooldownActive;
        if (!lock?.releaseAt || waiter?.status.phase !== 'Pending' || cooling?.status !== 'True')
          return undefined; // the cooldown had already ended (a slow tick): nothing to measure
        // The condition's time is the very `now` execute computed DelaySeconds from.
        return {
          waiter: t.waiter,
          releaseAt: Date.parse(lock.releaseAt),
          deferredAt: Date.parse(cooling.lastTransitionTime),
        };
      }),
    );
    const pending = deferred.filter((d) => d !== undefined);
    notDeferred += deferred.length - pending.length;
    samples.push(...(await startsOf(table, pending, env.invokedAt, cooldownMs)));
  }
  if (samples.length === 0)
    throw new Error('no waiter was deferred: the cooldown is too short for this machine');
  return { samples, notDeferred };
}

/** Waits for the waiters to start; looks only once they are due, so as not to load the machine. */
async function startsOf(
  table: Awaited<ReturnType<typeof benchTable>>,
  pending: { waiter: string; releaseAt: number; deferredAt: number }[],
  invokedAt: Map<string, number>,
  cooldownMs: number,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const latest = Math.max(...pending.map((p) => p.releaseAt), Date.now());
  await sleep(latest + 1000 - Date.now());
  const deadline = latest + 15_000;
  const waiting = new Set(pending.map((p) => p.waiter));
  while (waiting.size > 0) {
    for (const p of pending) {
      if (!waiting.has(p.waiter)) continue;
      const e = await table.store.read({ cluster: 'default', namespace: 'default', name: p.waiter });
      if (e?.status.phase === 'Running' && e.status.startTime) {
        waiting.delete(p.waiter);
        const left = p.releaseAt - p.deferredAt;
        // As execute computes DelaySeconds (functions/core/execute.ts defer): rounded down, at least 1.
        const visibleAt = p.deferredAt + Math.max(1, Math.floor(left / 1000)) * 1000;
        const startedAt = Date.parse(e.status.startTime);
        const invoked = invokedAt.get(p.waiter) ?? Number.NaN;
        samples.push({
          ...p,
          startedAt,
          roundingMs: visibleAt - p.releaseAt,
          deliveryMs: invoked - visibleAt,
          executeMs: startedAt - invoked,
          latenessMs: startedAt - p.releaseAt,
        });
      } else if (e && e.status.phase !== 'Pending') {
        throw new Error(`waiter ${p.waiter} ended ${e.status.phase} instead of starting`);
      }
    }
    if (waiting.size === 0) break;
    if (Date.now() > deadline)
      throw new Error(
        `${waiting.size} waiter(s) had not started 15 s after the cooldown (${cooldownMs} ms) ended`,
      );
    await sleep(250);
  }
  return samples;
}
