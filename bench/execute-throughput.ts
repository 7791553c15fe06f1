/**
 * §7 throughput of `execute`: executions started per second through the handler, in batches of 10
 * requests for different targets (an SQS batch), one invocation at a time, against DynamoDB Local
 * and the built-in Kubernetes API; beside the raw baseline, bare conditional PutItems per second on
 * the same DynamoDB Local, 10 at a time. Each runs up to a count or a time budget, whichever ends
 * first, so a slow machine gives a rate rather than a long wait.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../functions/adapters/system-clock.js';
import { benchCluster } from './cluster.js';
import type { BenchContext } from './context.js';
import { figure, round, type Section } from './figures.js';
import { countingQueue, executeHandler, NAMESPACE, requestBody } from './handlers.js';
import { benchTable } from './table.js';
import { difference } from './wire-counter.js';

const BATCH = 10;
/** Rounds always run, however slow the machine, so a rate is never taken from one sample. */
const MIN_ROUNDS = 3;

/** Runs rounds until `max` are done or the time budget is spent; each round says how many it did. */
async function rate(max: number, budgetMs: number, round: (done: number) => Promise<number>) {
  const began = performance.now();
  let count = 0;
  for (let rounds = 0; count < max && (rounds < MIN_ROUNDS || performance.now() - began < budgetMs); rounds++)
    count += await round(count);
  return { count, seconds: (performance.now() - began) / 1000 };
}

export async function measureExecuteThroughput(ctx: BenchContext): Promise<Section> {
  const { executions: max, puts: maxPuts, budgetMs } = ctx.scale.throughput;
  const table = await benchTable(ctx.dynamodbEndpoint, systemClock, 'throughput');
  const { kube, cluster, close } = await benchCluster();
  try {
    const queue = countingQueue();
    const execute = await executeHandler(
      { store: table.store, cluster, clock: systemClock, cooldownMs: 5 * 60_000 },
      queue,
    );
    const request = (name: string) => requestBody(name, `payment/Deployment/${name}`);
    const invoke = async (bodies: string[]) => {
      const out = await execute.invoke(bodies);
      if (out.batchItemFailures.length > 0)
        throw new Error(`execute failed ${out.batchItemFailures.length} record(s)`);
      return bodies.length;
    };

    ctx.progress(`execute throughput: up to ${max} executions or ${budgetMs / 1000} s, batches of ${BATCH}`);
    await invoke(Array.from({ length: BATCH }, (_, i) => request(`warm-${i}`)));
    const wire0 = table.wire.snapshot();
    const started = await rate(max, budgetMs, (done) =>
      invoke(Array.from({ length: Math.min(BATCH, max - done) }, (_, i) => request(`tp-${done + i}`))),
    );
    const wire = difference(table.wire.snapshot(), wire0);
    const executions = started.count;
    const runs = kube.store.list('pipelineruns', NAMESPACE).length;
    if (runs !== executions + BATCH)
      throw new Error(`${runs} PipelineRuns for ${executions + BATCH} executions`);
    if (queue.deferred + queue.deadLettered > 0) throw new Error('a request was deferred or dead-lettered');

    ctx.progress(`execute throughput: baseline, conditional PutItems ${BATCH} at a time`);
    const put = (key: string) =>
      table.doc.send(
        new PutCommand({
          TableName: table.tableName,
          Item: { pk: `BENCH#${key}`, sk: 'PUT' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await Promise.all(Array.from({ length: BATCH }, (_, i) => put(`warm-${i}`)));
    const puts = await rate(maxPuts, budgetMs / 2, async (done) => {
      const n = Math.min(BATCH, maxPuts - done);
      await Promise.all(Array.from({ length: n }, (_, i) => put(`p-${done + i}`)));
      return n;
    });
    const putsPerSecond = puts.count / puts.seconds;

    const perSecond = executions / started.seconds;
    const requestsPerExecution = (wire.readRequests + wire.writeRequests) / executions;
    return {
      id: 'executeThroughput',
      title: `5a. execute throughput (${executions} executions in ${started.seconds.toFixed(1)} s, batches of ${BATCH}, one invocation at a time)`,
      figures: [
        figure('throughput.executions', 'executions started / s through execute', round(perSecond, 1), '/s', {
          baseline: { label: 'bare conditional PutItem', value: round(putsPerSecond, 0), unit: '/s' },
        }),
        figure(
          'throughput.dynamoRequestsPerExecution',
          'DynamoDB requests / execution started',
          round(requestsPerExecution, 2),
          'req',
          {
            note: 'reads and writes; the Kubernetes API create comes on top',
          },
        ),
        figure(
          'throughput.executionsBoundByDynamo',
          'ceiling if DynamoDB requests were all it did',
          round(putsPerSecond / requestsPerExecution, 1),
          '/s',
          {
            note: 'baseline ÷ requests per execution',
          },
        ),
      ],
      notes: [
        'Real clock; each batch is one handler invocation whose 10 records Powertools processes concurrently.',
        'Deployed, concurrent invocations multiply this (maxConcurrency of the event source), up to what the cluster accepts.',
      ],
      details: { executions, seconds: started.seconds, wire, puts: puts.count, putsPerSecond },
    };
  } finally {
    await close();
    await table.destroy();
  }
}
