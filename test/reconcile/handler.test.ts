/**
 * The reconcile handler end to end: DynamoDB Local, the built-in Kubernetes API with its Tekton
 * simulator (manual), the real client, and one injected clock — no real waits for cooldowns.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executionItem } from '../../functions/adapters/dynamodb/items.js';
import { SHARDS, shardOf } from '../../functions/adapters/dynamodb/shard.js';
import { conditionList } from '../../functions/core/execution.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { SweepMessage } from '../../functions/core/ports.js';
import { createHandler as executeHandler } from '../../functions/execute/handler.js';
import { depsFromEnv } from '../../functions/reconcile/deps.js';
import { createHandler as reconcileHandler } from '../../functions/reconcile/handler.js';
import { RecordingQueue } from '../fakes/recorders.js';
import { sqsEvent, sqsRecord } from '../fixtures/events.js';
import { body } from '../fixtures/manifests.js';
import {
  capturing,
  ENGINE_SETTINGS,
  type Engines,
  lambdaContext,
  quiet,
  startEngines,
} from '../setup/engines.js';

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

async function submit(name: string, target = TARGET) {
  const handler = executeHandler({
    store: engines.store,
    clusters: () => engines.cluster,
    queue: new RecordingQueue(),
    clock: engines.clock,
    settings,
    ...quiet('execute'),
  });
  return handler(sqsEvent(sqsRecord(body({ name, target }))), lambdaContext('execute'));
}

// The deployed wiring (budget included), over the engines' store, cluster and clock.
const tick = async (observability = quiet('reconcile')) => {
  const env = { TABLE_NAME: 'wfe-test', KUBECONFIG: 'engines', COOLDOWN_PERIOD: '10s' };
  const handler = reconcileHandler(
    await depsFromEnv(env, {
      store: engines.store,
      clusters: () => engines.cluster,
      clock: engines.clock,
      observability,
    }),
  );
  return handler({}, lambdaContext('reconcile'));
};

const read = (name: string) => engines.store.read({ cluster: 'default', namespace: 'default', name });
const events = () => engines.kube.store.list('events', NS);

describe('reconcile handler (issue: The reconcile function)', () => {
  it('WE-12: a tick logs each execution and lock it moves, with the execution keys; an idle tick logs no metrics warning', async () => {
    await submit('we-1');
    const idle = capturing('reconcile');
    await tick(idle);
    expect(idle.lines.filter((l) => l.level === 'WARN')).toEqual([]);
    expect(idle.lines.map((l) => l.message)).toEqual(['reconcile finished']);

    engines.kube.simulator.start(NS, RUN);
    engines.clock.advance(30_000);
    engines.kube.simulator.succeed(NS, RUN);
    const moving = capturing('reconcile');
    await tick(moving);
    const keys = {
      executionId: 'default/default/we-1',
      cluster: 'default',
      target: TARGET,
      correlationId: 'we-1',
    };
    expect(moving.lines).toContainEqual(
      expect.objectContaining({
        message: 'execution phase changed',
        ...keys,
        from: 'Running',
        to: 'Completed',
      }),
    );
    expect(moving.lines).toContainEqual(
      expect.objectContaining({ message: 'lock state changed', ...keys, from: 'running', to: 'cooling' }),
    );
    expect(moving.lines.filter((l) => l.level === 'WARN')).toEqual([]);
  });

  it('WE-6/WE-7: follows a run to Completed, holds the lock through the cooldown, then releases it with an Event', async () => {
    await submit('we-1');
    engines.kube.simulator.start(NS, RUN);
    engines.clock.advance(30_000);
    engines.kube.simulator.succeed(NS, RUN);
    expect(await tick()).toMatchObject({ completed: 1 });
    const done = await read('we-1');
    expect(done?.status).toMatchObject({
      phase: 'Completed',
      completionTime: '2026-03-01T10:00:30.000Z',
      duration: '30s',
    });
    expect(done?.status.failureDetails).toBeUndefined();

    engines.clock.advance(9_000);
    expect(await tick()).toMatchObject({ released: 0 });
    expect(engines.kube.store.get('pipelineruns', NS, RUN)).toBeDefined();
    engines.clock.advance(1_000);
    expect(await tick()).toMatchObject({ released: 1 });
    expect(engines.kube.store.get('pipelineruns', NS, RUN)).toBeUndefined();
    expect(await engines.store.readLock(`default#${TARGET}`)).toBeUndefined();
    const released = await read('we-1');
    expect(conditionList(released!.status).map((c) => c.type)).toEqual([
      'TektonPipelineCreated',
      'TektonPipelineRunning',
      'TektonPipelineComplete',
      'AuditRecorded',
      'LockReleased',
    ]);
    expect(events().map((e) => [e.reason, e.message])).toContainEqual([
      'LockReleased',
      `Lock released for ${TARGET} after cooldown`,
    ]);
  });

  it('WE-6: a failed run gives the failed TaskRun, its index and exit code, classified', async () => {
    await submit('we-1');
    engines.kube.simulator.start(NS, RUN);
    engines.kube.simulator.fail(NS, RUN, { failedTask: { name: 'remediate', exitCode: 2 } });
    expect(await tick()).toMatchObject({ failed: 1 });
    const e = await read('we-1');
    expect(e?.status.phase).toBe('Failed');
    expect(e?.status.failureDetails).toMatchObject({
      reason: 'TaskFailed',
      failedTaskName: `${RUN}-remediate`,
      failedTaskIndex: 0,
      exitCode: 2,
      wasExecutionFailure: true,
    });
    expect(events().map((ev) => ev.reason)).toContain('WorkflowFailed');
  });

  it('WE-6: a run still going is not rewritten by a tick that finds nothing changed', async () => {
    await submit('we-1');
    engines.kube.simulator.start(NS, RUN);
    await tick();
    const writes = engines.store.stats.writeRequests;
    await tick();
    await tick();
    expect(engines.store.stats.writeRequests).toBe(writes);
    expect((await read('we-1'))?.status.pipelineRunStatus).toMatchObject({
      status: 'Unknown',
      totalTasks: 1,
    });
  });

  it('WE-6: a run deleted externally fails the execution; the lock is still released after cooldown', async () => {
    await submit('we-1');
    engines.kube.simulator.delete(NS, RUN);
    await tick();
    expect((await read('we-1'))?.status.failureDetails).toMatchObject({
      reason: 'Unknown',
      message: 'PipelineRun was deleted externally',
      wasExecutionFailure: false,
    });
    engines.clock.advance(10_000);
    expect(await tick()).toMatchObject({ released: 1 });
  });

  it('WE-5: workflow.completed is recorded once when reconciles overlap', async () => {
    await submit('we-1');
    engines.kube.simulator.start(NS, RUN);
    engines.kube.simulator.succeed(NS, RUN);
    await Promise.all([tick(), tick(), tick()]);
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const out = await engines.table.doc.send(new ScanCommand({ TableName: engines.table.tableName }));
    const completed = (out.Items ?? []).filter(
      (i) => (i.event as { event_type?: string } | undefined)?.event_type === 'workflow.completed',
    );
    expect(completed).toHaveLength(1);
  });

  it('SPEC §7: items read per tick do not grow with 10,000 finished executions (100 active)', async () => {
    for (let i = 0; i < 100; i++) await submit(`active-${i}`, `default/deployment/app-${i}`);
    const measure = async () => {
      const before = engines.store.stats.itemsRead;
      await tick();
      return engines.store.stats.itemsRead - before;
    };
    // The first tick records each run's summary; from then on an unchanged run costs its index entry.
    await measure();
    const withoutHistory = await measure();
    const template = (await read('active-0'))!;
    const items = Array.from({ length: 10_000 }, (_, i) =>
      executionItem(
        {
          ...template,
          id: { cluster: 'default', namespace: 'history', name: `done-${i}` },
          status: { ...template.status, phase: 'Completed', completionTime: '2026-02-01T00:00:00.000Z' },
        },
        2,
        engines.clock.now(),
      ),
    );
    const batches = Array.from({ length: items.length / 25 }, (_, i) => items.slice(i * 25, i * 25 + 25));
    for (let i = 0; i < batches.length; i += 16) {
      await Promise.all(
        batches.slice(i, i + 16).map((batch) =>
          engines.table.doc.send(
            new BatchWriteCommand({
              RequestItems: { [engines.table.tableName]: batch.map((Item) => ({ PutRequest: { Item } })) },
            }),
          ),
        ),
      );
    }
    const withHistory = await measure();
    console.log(
      `items read per tick: ${withoutHistory} with 100 active; ${withHistory} with 100 active + 10,000 finished`,
    );
    // The sync reads each Running execution's index entry once (100); the census counts the running
    // and the lock entries again (100 + 100), an index read each, never the finished.
    expect(withoutHistory).toBe(300);
    expect(withHistory).toBe(withoutHistory);
    expect(engines.store.stats.scans).toBe(0);
  }, 120_000);

  it('WE-14: with a sweep queue the schedule fans out one message per shard; a message sweeps its shard', async () => {
    await submit('we-1');
    engines.kube.simulator.start(NS, RUN);
    engines.kube.simulator.succeed(NS, RUN);
    const sent: SweepMessage[] = [];
    const deps = await depsFromEnv(
      { TABLE_NAME: 'wfe-test', KUBECONFIG: 'engines', COOLDOWN_PERIOD: '10s' },
      {
        store: engines.store,
        clusters: () => engines.cluster,
        clock: engines.clock,
        observability: quiet('reconcile'),
      },
    );
    const handler = reconcileHandler({ ...deps, sweeps: { send: async (m) => void sent.push(...m) } });
    expect(await handler({}, lambdaContext('reconcile'))).toMatchObject({ fannedOut: SHARDS, completed: 0 });
    expect(sent).toHaveLength(SHARDS);
    expect((await read('we-1'))?.status.phase).toBe('Running');

    const shard = shardOf('EXEC#default/default/we-1');
    const others = sent.filter((m) => m.shard !== shard).map((m) => sqsRecord(JSON.stringify(m)));
    for (const record of others)
      expect(await handler(sqsEvent(record), lambdaContext('reconcile'))).toEqual({ batchItemFailures: [] });
    expect((await read('we-1'))?.status.phase).toBe('Running');
    const own = sqsRecord(JSON.stringify(sent.find((m) => m.shard === shard)));
    expect(await handler(sqsEvent(own), lambdaContext('reconcile'))).toEqual({ batchItemFailures: [] });
    expect((await read('we-1'))?.status.phase).toBe('Completed');
    // A body that is no shard is dropped: no retry can make it one.
    expect(
      await handler(sqsEvent(sqsRecord('{"kind":"sweep","shard":99}')), lambdaContext('reconcile')),
    ).toEqual({
      batchItemFailures: [],
    });
  });
});
