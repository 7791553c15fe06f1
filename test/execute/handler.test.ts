/**
 * The execute handler end to end: real SQS-shaped batches, DynamoDB Local, the built-in Kubernetes
 * API through the cluster adapter, Powertools partial batch responses. Clock injected.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../functions/adapters/kubernetes/cluster.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { Cluster, ExecutionStore } from '../../functions/core/ports.js';
import type { StateChange } from '../../functions/core/state-change.js';
import { createHandler } from '../../functions/execute/handler.js';
import { RecordingQueue } from '../fakes/recorders.js';
import { sqsEvent, sqsRecord } from '../fixtures/events.js';
import { connectionTo } from '../fixtures/kube-connection.js';
import { body } from '../fixtures/manifests.js';
import { capturing, type Engines, lambdaContext, startEngines } from '../setup/engines.js';

const NS = 'kubernaut-workflows';
const TARGET = 'default/deployment/test-app';
const RUN = pipelineRunName(TARGET);

let engines: Engines;
beforeEach(async () => {
  engines = await startEngines();
});
afterEach(async () => {
  await engines.stop();
});

function handlerWith(
  options: {
    store?: ExecutionStore;
    cooldownMs?: number;
    cluster?: Cluster;
    observability?: Pick<ReturnType<typeof capturing>, 'logger' | 'metrics'>;
  } = {},
) {
  const queue = new RecordingQueue();
  const handler = createHandler({
    store: options.store ?? engines.store,
    clusters: () => options.cluster ?? engines.cluster,
    queue,
    clock: engines.clock,
    settings: {
      clusters: [{ name: 'default', namespace: NS }],
      serviceAccountName: 'kubernaut-workflow-runner',
      allowedServiceAccounts: ['kubernaut-workflow-runner', 'custom-workflow-sa'],
      defaultCluster: 'default',
      cooldownMs: options.cooldownMs ?? 10_000,
      leaseMs: 15 * 60_000,
    },
    logger: new Logger({ serviceName: 'execute-test', logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'wfe-test', serviceName: 'execute' }),
    ...options.observability,
  });
  const invoke = (...bodies: string[]) =>
    handler(sqsEvent(...bodies.map((b) => sqsRecord(b))), lambdaContext('execute'));
  return { handler, queue, invoke };
}

const prs = () => engines.kube.store.list('pipelineruns', NS);

/** Redelivers what failed, as SQS does after the visibility timeout, until everything is done. */
async function untilDone(
  invoke: (...b: string[]) => ReturnType<ReturnType<typeof handlerWith>['invoke']>,
  bodies: string[],
) {
  let pending = bodies;
  for (let round = 0; round < 10 && pending.length > 0; round++) {
    const results = await Promise.all(pending.map((b) => invoke(b)));
    pending = pending.filter((_, i) => (results[i]?.batchItemFailures.length ?? 0) > 0);
  }
  return pending;
}

describe('execute handler (issue: Foundation and the execute path)', () => {
  it('WE-4: creates the PipelineRun in the execution namespace with labels, annotation, resolver and parameters', async () => {
    const { invoke } = handlerWith();
    expect(await invoke(body({ name: 'we-1' }))).toEqual({ batchItemFailures: [] });
    const [run] = prs();
    expect(run?.metadata.name).toBe(RUN);
    expect(run?.metadata.namespace).toBe(NS);
    expect(run?.metadata.labels).toEqual({
      'kubernaut.ai/workflow-execution': 'we-1',
      'kubernaut.ai/workflow-id': 'test-workflow',
      'kubernaut.ai/target-resource': 'default__deployment__test-app',
      'kubernaut.ai/source-namespace': 'default',
    });
    expect(run?.metadata.annotations).toMatchObject({ 'kubernaut.ai/target-resource': TARGET });
    const spec = run?.spec as {
      params: { name: string; value: string }[];
      pipelineRef: unknown;
      taskRunTemplate: unknown;
    };
    expect(spec.pipelineRef).toEqual({
      resolver: 'bundles',
      params: [
        { name: 'bundle', value: 'ghcr.io/kubernaut/workflows/test@sha256:abc123' },
        { name: 'name', value: 'workflow' },
        { name: 'kind', value: 'pipeline' },
      ],
    });
    expect(spec.params).toEqual(
      expect.arrayContaining([
        { name: 'NAMESPACE', value: 'production' },
        { name: 'DEPLOYMENT_NAME', value: 'my-service' },
        { name: 'REPLICA_COUNT', value: '3' },
        { name: 'TARGET_RESOURCE', value: TARGET },
      ]),
    );
    expect(spec.taskRunTemplate).toMatchObject({ serviceAccountName: 'kubernaut-workflow-runner' });
    const e = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-1' });
    expect(e?.status).toMatchObject({ phase: 'Running', pipelineRunRef: { name: RUN } });
  });

  it('WE-4: honours the per-request service account and timeout', async () => {
    const { invoke } = handlerWith();
    await invoke(body({ name: 'we-1', serviceAccountName: 'custom-workflow-sa', timeout: '30m' }));
    const spec = prs()[0]?.spec as { taskRunTemplate: unknown; timeouts: unknown };
    expect(spec.taskRunTemplate).toMatchObject({ serviceAccountName: 'custom-workflow-sa' });
    expect(spec.timeouts).toMatchObject({ pipeline: '30m0s' });
  });

  it('runs different targets in parallel from one batch', async () => {
    const { invoke } = handlerWith();
    await invoke(
      body({ name: 'we-a', target: 'default/deployment/a' }),
      body({ name: 'we-b', target: 'default/deployment/b' }),
    );
    expect(prs()).toHaveLength(2);
  });

  it('WE-12: each line about an execution carries its id, target and correlation id, never those of another in the batch', async () => {
    const logs = capturing('execute');
    const { invoke } = handlerWith({ observability: logs });
    const requests = ['a', 'b', 'c'].map((x) => ({
      name: `we-${x}`,
      target: `default/deployment/${x}`,
      remediationRequest: `rr-${x}`,
    }));
    await invoke(...requests.map((r) => body(r)));

    const about = logs.lines.filter((l) => l.executionId !== undefined);
    for (const { name, target, remediationRequest } of requests) {
      const lines = about.filter((l) => l.executionId === `default/default/${name}`);
      expect(lines.map((l) => [l.message, l.from, l.to])).toEqual(
        expect.arrayContaining([
          ['execution phase changed', undefined, 'Pending'],
          ['execution phase changed', 'Pending', 'Running'],
          ['request processed', undefined, undefined],
        ]),
      );
      for (const line of lines) expect(line).toMatchObject({ target, correlationId: remediationRequest });
    }
    // One line per execution saying what became of its request, and one message id per execution.
    expect(logs.lines.filter((l) => l.message === 'request processed')).toHaveLength(3);
    expect(new Set(about.map((l) => `${l.executionId} ${l.messageId}`)).size).toBe(3);
  });

  it('WE-2: a second execution on the busy target ends Deduplicated', async () => {
    const { invoke } = handlerWith();
    await invoke(body({ name: 'we-1' }));
    await invoke(body({ name: 'we-2' }));
    const e = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-2' });
    expect(e?.status).toMatchObject({ phase: 'Failed', deduplicatedBy: 'default/default/we-1' });
    expect(e?.status.failureDetails).toMatchObject({ reason: 'Deduplicated', wasExecutionFailure: false });
    expect(prs()).toHaveLength(1);
  });

  it('WE-4: adopts a PipelineRun pre-created with its labels; one owned by another execution → Deduplicated', async () => {
    const kc = engines.kube.kubeConfig();
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const api = kc.makeApiClient(CustomObjectsApi);
    const create = (owner: string, target: string) =>
      api.createNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        namespace: NS,
        plural: 'pipelineruns',
        body: {
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
          metadata: {
            name: pipelineRunName(target),
            labels: { 'kubernaut.ai/workflow-execution': owner, 'kubernaut.ai/source-namespace': 'default' },
          },
          spec: { pipelineRef: { resolver: 'bundles', params: [{ name: 'bundle', value: 'x' }] } },
        },
      });
    await create('we-1', TARGET);
    await create('someone-else', 'default/deployment/other');
    const { invoke } = handlerWith();
    await invoke(body({ name: 'we-1' }), body({ name: 'we-2', target: 'default/deployment/other' }));
    const adopted = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-1' });
    expect(adopted?.status.phase).toBe('Running');
    expect(adopted?.status.conditions.TektonPipelineCreated).toMatchObject({
      status: 'True',
      reason: 'PipelineCreated',
    });
    const other = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-2' });
    expect(other?.status).toMatchObject({ phase: 'Failed', deduplicatedBy: 'default/default/someone-else' });
  });

  it('SPEC §6: the same message 5 times concurrently → 1 run, 1 workflow.started', async () => {
    const { invoke } = handlerWith();
    const left = await untilDone(
      invoke,
      Array.from({ length: 5 }, () => body({ name: 'we-1' })),
    );
    expect(left).toEqual([]);
    expect(prs()).toHaveLength(1);
    expect(await auditTypes()).toEqual(['workflow.started']);
    console.log(
      `race: the same message 5× at once → runs=${prs().length}, workflow.started=1, messages left=0`,
    );
  });

  it('SPEC §6: 50 concurrent requests for one target → 1 run, 1 Running, 49 Deduplicated', async () => {
    const { invoke } = handlerWith();
    const left = await untilDone(
      invoke,
      Array.from({ length: 50 }, (_, i) => body({ name: `we-${i}` })),
    );
    expect(left).toEqual([]);
    expect(prs()).toHaveLength(1);
    const phases = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        engines.store.read({ cluster: 'default', namespace: 'default', name: `we-${i}` }),
      ),
    );
    expect(phases.filter((e) => e?.status.phase === 'Running')).toHaveLength(1);
    const deduplicated = phases.filter((e) => e?.status.failureDetails?.reason === 'Deduplicated');
    expect(deduplicated).toHaveLength(49);
    const types = await auditTypes();
    expect(types.filter((t) => t === 'workflow.started')).toHaveLength(1);
    expect(types.filter((t) => t === 'workflow.failed')).toHaveLength(49);
    console.log(
      `race: 50 requests for one target at once → runs=${prs().length}, Running=1, Deduplicated=${deduplicated.length}, workflow.started=1, workflow.failed=49`,
    );
  });

  it('WE-3: a request for a target that finished 2 s ago (10 s cooldown) stays Pending, then starts within 1 s of the end', async () => {
    const { invoke, queue } = handlerWith();
    await invoke(body({ name: 'we-1' }));
    await finishAndCool('we-1');
    engines.clock.advance(2000);
    await invoke(body({ name: 'we-2' }));
    expect(
      (await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-2' }))?.status.phase,
    ).toBe('Pending');
    const [deferral] = queue.deferred;
    expect(deferral?.delaySeconds).toBe(8);
    // SQS makes the deferred message visible after its delay; the clock is where it would be delivered.
    engines.clock.advance((deferral?.delaySeconds ?? 0) * 1000);
    await invoke(deferral!.body);
    const started = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-2' });
    const end = Date.parse('2026-03-01T10:00:10Z');
    expect(started?.status.phase).toBe('Running');
    expect(Date.parse(started!.status.startTime!) - end).toBeGreaterThanOrEqual(0);
    expect(Date.parse(started!.status.startTime!) - end).toBeLessThanOrEqual(1000);
    expect(prs()[0]?.metadata.labels?.['kubernaut.ai/workflow-execution']).toBe('we-2');
  });

  it.each([
    [{ image: '' }, 'workflowRef.containerImage is required'],
    [{ target: 'deployment' }, 'got 1 parts'],
  ])('%j → Failed/ConfigurationError, wasExecutionFailure false, message done', async (options, reason) => {
    const { invoke } = handlerWith();
    expect(await invoke(body({ name: 'we-bad', ...options }))).toEqual({ batchItemFailures: [] });
    const e = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-bad' });
    expect(e?.status.failureDetails).toMatchObject({
      reason: 'ConfigurationError',
      wasExecutionFailure: false,
    });
    expect(e?.status.failureDetails?.message).toContain(reason);
  });

  it('bad JSON and schema violations without an identity go to the dead-letter queue with a specific reason', async () => {
    const { invoke, queue } = handlerWith();
    expect(await invoke('{"oops"', JSON.stringify({ kind: 'WorkflowExecution' }))).toEqual({
      batchItemFailures: [],
    });
    expect(queue.deadLettered.map((d) => d.reason)).toEqual([
      expect.stringMatching(/^request body is not valid JSON: /),
      expect.stringContaining('metadata: '),
    ]);
  });

  it.each([
    ['500', { status: 500 as const }],
    ['429', { status: 429 as const, retryAfterSeconds: 1 }],
    ['a dropped connection', { drop: true }],
    ['slower than the request timeout', { delayMs: 1500 }],
  ])(
    'cluster %s on create: the message is retried, the lock kept, and redelivery finishes',
    async (_name, fault) => {
      // A client with a short request timeout, so the slow answer is a timeout without a long wait.
      const cluster = new KubernetesCluster(await connectionTo(engines.kube), { requestTimeoutMs: 300 });
      const { invoke } = handlerWith({ cluster });
      const handle = engines.kube.faults.inject({ method: 'POST', path: /pipelineruns/, ...fault });
      const first = await invoke(body({ name: 'we-1' }));
      expect(first.batchItemFailures).toHaveLength(1);
      handle.clear();
      expect(await invoke(body({ name: 'we-1' }))).toEqual({ batchItemFailures: [] });
      expect(prs()).toHaveLength(1);
      expect(await auditTypes()).toEqual(['workflow.started']);
      console.log(
        `cluster ${_name} on create: message retried (${first.batchItemFailures.length} batch item failure), redelivery → runs=1, workflow.started=1`,
      );
    },
  );

  it('a crash after the PipelineRun is created: redelivery adopts it, no duplicate run or audit', async () => {
    const crashing: ExecutionStore = {
      ...engines.store,
      write: async (change: StateChange) => {
        if (change.audit?.some((a) => a.event_type === 'workflow.started')) throw new Error('crash');
        return engines.store.write(change);
      },
    };
    expect(
      (await handlerWith({ store: crashing }).invoke(body({ name: 'we-1' }))).batchItemFailures,
    ).toHaveLength(1);
    expect(await handlerWith().invoke(body({ name: 'we-1' }))).toEqual({ batchItemFailures: [] });
    expect(prs()).toHaveLength(1);
    expect(await auditTypes()).toEqual(['workflow.started']);
  });
});

async function auditTypes(): Promise<string[]> {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const out = await engines.table.doc.send(
    new ScanCommand({
      TableName: engines.table.tableName,
      FilterExpression: '#k = :audit',
      ExpressionAttributeNames: { '#k': 'kind' },
      ExpressionAttributeValues: { ':audit': 'audit' },
    }),
  );
  return (out.Items ?? []).map((i) => (i.event as { event_type: string }).event_type).sort();
}

/** What reconcile records when a run succeeds: Completed, and the lock starts its cooldown. */
async function finishAndCool(name: string) {
  const e = (await engines.store.read({ cluster: 'default', namespace: 'default', name }))!;
  const lock = (await engines.store.readLock(`default#${e.target}`))!;
  const now = engines.clock.now();
  await engines.store.write({
    executions: [
      {
        next: { ...e, status: { ...e.status, phase: 'Completed', completionTime: now.toISOString() } },
        expectVersion: e.version,
      },
    ],
    lock: {
      op: 'put',
      lock: {
        ...lock,
        version: lock.version + 1,
        state: 'cooling',
        releaseAt: new Date(now.getTime() + 10_000).toISOString(),
      },
      expectVersion: lock.version,
    },
  });
}
