import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectCluster, KubernetesCluster } from '../../functions/adapters/kubernetes/cluster.js';
import { ClusterRejectedError, ClusterUnavailableError } from '../../functions/core/errors.js';
import { Label } from '../../functions/core/pipeline-run.js';
import { type KubeApi, startKubeApi } from '../../local/kube-api/index.js';
import { fixedClock } from '../fakes/clock.js';
import { connectionTo } from '../fixtures/kube-connection.js';
import { pipelineRunObject } from '../fixtures/pipeline-runs.js';

const NS = 'kubernaut-workflows';
const clock = fixedClock('2026-04-01T08:00:00Z');
let kubeApi: KubeApi;
let cluster: KubernetesCluster;
let counter = 0;
let name: string;

const run = (runName: string, owner = { cluster: 'default', name: 'we-owner', namespace: 'payment' }) =>
  pipelineRunObject({
    name: runName,
    namespace: NS,
    owner,
    workflowId: 'increase-memory-limit',
    bundle: 'quay.io/kubernaut/workflows/increase-memory:v1',
    serviceAccountName: 'kubernaut-workflow-runner',
  });

const OWNER = { cluster: 'default', name: 'we-owner', namespace: 'payment' };

beforeAll(async () => {
  kubeApi = await startKubeApi({ clock: clock.now });
  cluster = new KubernetesCluster(await connectionTo(kubeApi), { requestTimeoutMs: 300, clock });
});
afterAll(() => kubeApi.close());
beforeEach(() => {
  kubeApi.faults.clear();
  counter += 1;
  name = `wfe-adapter-${counter}`;
});

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('createPipelineRun', () => {
  it('creates the run', async () => {
    expect(await cluster.createPipelineRun(run(name))).toBe('created');
    const stored = kubeApi.store.get('pipelineruns', NS, name);
    expect(stored?.metadata.labels?.[Label.WorkflowExecution]).toBe('we-owner');
    expect(
      kubeApi.requests.count({ method: 'POST', path: `/apis/tekton.dev/v1/namespaces/${NS}/pipelineruns` }),
    ).toBeGreaterThan(0);
  });

  it('returns the existing run, with its owner labels, when the name is taken', async () => {
    await cluster.createPipelineRun(run(name));
    const again = await cluster.createPipelineRun(
      run(name, { cluster: 'default', name: 'we-other', namespace: 'payment' }),
    );
    expect(again).toEqual({
      exists: {
        name,
        namespace: NS,
        uid: kubeApi.store.get('pipelineruns', NS, name)?.metadata.uid,
        labels: expect.objectContaining({
          [Label.WorkflowExecution]: 'we-owner',
          [Label.SourceNamespace]: 'payment',
        }),
        childReferences: [],
      },
    });
  });
});

describe('getPipelineRun', () => {
  it('returns undefined for a run that does not exist', async () => {
    expect(await cluster.getPipelineRun(NS, 'wfe-nope')).toBeUndefined();
  });

  it('reads a run that has just been created: no condition yet', async () => {
    await cluster.createPipelineRun(run(name));
    const state = await cluster.getPipelineRun(NS, name);
    expect(state?.succeeded).toBeUndefined();
    expect(state?.startTime).toBeUndefined();
  });

  it('reads a running run: Unknown/Running, startTime, child references', async () => {
    await cluster.createPipelineRun(run(name));
    kubeApi.simulator.start(NS, name);
    const state = await cluster.getPipelineRun(NS, name);
    expect(state).toMatchObject({
      startTime: '2026-04-01T08:00:00Z',
      succeeded: { status: 'Unknown', reason: 'Running' },
      childReferences: [{ kind: 'TaskRun', name: `${name}-remediate`, pipelineTaskName: 'remediate' }],
    });
  });

  it('reads a succeeded run with its completionTime', async () => {
    await cluster.createPipelineRun(run(name));
    kubeApi.simulator.start(NS, name);
    clock.advance(60_000);
    kubeApi.simulator.succeed(NS, name);
    const state = await cluster.getPipelineRun(NS, name);
    expect(state?.succeeded).toEqual({
      status: 'True',
      reason: 'Succeeded',
      message: 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
    });
    expect(state?.completionTime).toBe(new Date(clock.now()).toISOString().replace('.000', ''));
  });

  it('refuses for good when the server does not serve PipelineRuns (Tekton not installed)', async () => {
    const noTekton = { ...(await connectionTo(kubeApi)), server: `${kubeApi.url}/no-tekton` };
    const err = await rejection(new KubernetesCluster(noTekton).getPipelineRun(NS, name));
    expect(err).toBeInstanceOf(ClusterRejectedError);
    expect(err).toMatchObject({ code: 404, message: 'the server could not find the requested resource' });
  });
});

describe('getTaskRun', () => {
  it('reads the failed TaskRun with the first non-zero step exit code', async () => {
    await cluster.createPipelineRun(run(name));
    kubeApi.simulator.fail(NS, name, { failedTask: { name: 'remediate', exitCode: 3 } });
    expect(await cluster.getTaskRun(NS, `${name}-remediate`)).toEqual({
      name: `${name}-remediate`,
      succeeded: { status: 'False', reason: 'Failed', message: '"step-remediate" exited with code 3' },
      exitCode: 3,
    });
    expect(await cluster.getTaskRun(NS, 'wfe-nothing-remediate')).toBeUndefined();
  });
});

describe('deletePipelineRun', () => {
  it('deletes the run when both owner labels name the execution', async () => {
    await cluster.createPipelineRun(run(name));
    expect(await cluster.deletePipelineRun(NS, name, OWNER)).toBe('deleted');
    expect(kubeApi.store.get('pipelineruns', NS, name)).toBeUndefined();
  });

  it('answers absent for a run that is not there', async () => {
    expect(await cluster.deletePipelineRun(NS, name, OWNER)).toBe('absent');
  });

  it("never deletes another execution's run (Kubernaut's delete-by-name bug)", async () => {
    await cluster.createPipelineRun(
      run(name, { cluster: 'default', name: 'we-winner', namespace: 'payment' }),
    );
    kubeApi.requests.clear();
    expect(
      await cluster.deletePipelineRun(NS, name, {
        cluster: 'default',
        name: 'we-loser',
        namespace: 'payment',
      }),
    ).toBe('not-owner');
    expect(
      await cluster.deletePipelineRun(NS, name, {
        cluster: 'default',
        name: 'we-winner',
        namespace: 'other-ns',
      }),
    ).toBe('not-owner');
    expect(kubeApi.store.get('pipelineruns', NS, name)).toBeDefined();
    expect(kubeApi.requests.count({ method: 'DELETE' })).toBe(0);
  });

  it('does not delete a run that replaced ours between the read and the delete', async () => {
    await cluster.createPipelineRun(run(name));
    kubeApi.faults.inject({ method: 'DELETE', delayMs: 300, times: 1 });
    const patient = new KubernetesCluster(await connectionTo(kubeApi), { requestTimeoutMs: 5000 });
    const deleting = patient.deletePipelineRun(NS, name, OWNER);
    const inFlight = () => kubeApi.requests.list({ method: 'DELETE' }).length > 0;
    for (const deadline = Date.now() + 5000; !inFlight() && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 5));
    kubeApi.simulator.delete(NS, name);
    await patient.createPipelineRun(
      run(name, { cluster: 'default', name: 'we-newcomer', namespace: 'payment' }),
    );
    expect(await deleting).toBe('not-owner');
    // The uid precondition refused the stale delete; the adapter read again and saw another owner.
    const deletes = kubeApi.requests.list({
      method: 'DELETE',
      path: `/apis/tekton.dev/v1/namespaces/${NS}/pipelineruns/${name}`,
    });
    expect(deletes.map((r) => r.status)).toEqual([409]);
    expect(kubeApi.store.get('pipelineruns', NS, name)?.metadata.labels?.[Label.WorkflowExecution]).toBe(
      'we-newcomer',
    );
  });
});

describe('recordEvent', () => {
  it('records a core v1 Event from workflowexecution-controller', async () => {
    await cluster.recordEvent({
      namespace: 'payment',
      involvedObject: {
        kind: 'WorkflowExecution',
        name: 'we-owner',
        namespace: 'payment',
        apiVersion: 'kubernaut.ai/v1alpha1',
      },
      type: 'Normal',
      reason: 'PipelineRunCreated',
      message: `Created PipelineRun ${NS}/${name}`,
    });
    const events = kubeApi.store
      .list('events', 'payment')
      .filter((e) => e.message === `Created PipelineRun ${NS}/${name}`);
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event?.metadata.name).toMatch(/^we-owner\.[0-9a-f]+$/);
    expect(event).toMatchObject({
      type: 'Normal',
      reason: 'PipelineRunCreated',
      involvedObject: { kind: 'WorkflowExecution', name: 'we-owner', namespace: 'payment' },
      source: { component: 'workflowexecution-controller' },
      firstTimestamp: new Date(clock.now()).toISOString().replace('.000', ''),
      lastTimestamp: new Date(clock.now()).toISOString().replace('.000', ''),
      count: 1,
    });
  });

  it('records two events for one object in the same instant', async () => {
    const event = {
      namespace: 'payment',
      involvedObject: { kind: 'WorkflowExecution', name: `we-twice-${counter}`, namespace: 'payment' },
      type: 'Warning' as const,
      reason: 'WorkflowFailed',
      message: 'Workflow increase-memory-limit failed: TaskFailed',
    };
    await cluster.recordEvent(event);
    await cluster.recordEvent(event);
    expect(
      kubeApi.store
        .list('events', 'payment')
        .filter((e) => e.metadata.name.startsWith(`we-twice-${counter}.`)),
    ).toHaveLength(2);
  });
});

describe('transient faults become ClusterUnavailableError', () => {
  it.each([500, 503, 429, 401] as const)('HTTP %d', async (status) => {
    kubeApi.faults.inject({ status, times: 1 });
    const err = await rejection(cluster.getPipelineRun(NS, name));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect(err).toMatchObject({ code: status });
    expect((err as Error).cause).toBeDefined();
  });

  it('a server slower than the request timeout', async () => {
    kubeApi.faults.inject({ delayMs: 2000, times: 1 });
    const started = performance.now();
    const err = await rejection(cluster.createPipelineRun(run(name)));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toContain('did not answer within 300 ms');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('a dropped connection', async () => {
    kubeApi.faults.inject({ drop: true, times: 1 });
    const err = await rejection(cluster.deletePipelineRun(NS, name, OWNER));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toContain('socket hang up');
  });

  it('a server that is not there', async () => {
    const gone = await startKubeApi();
    const lonely = new KubernetesCluster(await connectionTo(gone));
    await gone.close();
    const err = await rejection(lonely.getPipelineRun(NS, name));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toContain('ECONNREFUSED');
  });
});

describe('refusals become ClusterRejectedError with the Status message and reason', () => {
  it('400 from the Tekton webhook (name too long)', async () => {
    const err = await rejection(cluster.createPipelineRun(run(`wfe-${'x'.repeat(60)}`)));
    expect(err).toBeInstanceOf(ClusterRejectedError);
    expect(err).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect((err as Error).message).toContain('must be no more than 63 characters');
  });

  it('403 Forbidden', async () => {
    kubeApi.faults.inject({ method: 'POST', status: 403, times: 1 });
    const err = await rejection(cluster.createPipelineRun(run(name)));
    expect(err).toBeInstanceOf(ClusterRejectedError);
    expect(err).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect((err as Error).message).toContain('cannot create resource "pipelineruns"');
  });

  it('422 Invalid (a bad label value)', async () => {
    const bad = run(name);
    bad.metadata.labels[Label.TargetResource] = 'payment/Deployment/api';
    const err = await rejection(cluster.createPipelineRun(bad));
    expect(err).toBeInstanceOf(ClusterRejectedError);
    expect(err).toMatchObject({ code: 422, reason: 'Invalid' });
    expect((err as Error).message).toMatch(/^PipelineRun\.tekton\.dev ".*" is invalid: metadata\.labels/);
  });

  it('404 for a namespace that does not exist', async () => {
    const strict = await startKubeApi({ strictNamespaces: true });
    try {
      const err = await rejection(
        new KubernetesCluster(await connectionTo(strict)).createPipelineRun(run(name)),
      );
      expect(err).toBeInstanceOf(ClusterRejectedError);
      expect(err).toMatchObject({ code: 404, reason: 'NotFound', message: `namespaces "${NS}" not found` });
    } finally {
      await strict.close();
    }
  });
});

describe('connectCluster', () => {
  it('connects through a KUBECONFIG file (local access)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wfe-kubeconfig-'));
    try {
      const path = join(dir, 'config');
      writeFileSync(path, kubeApi.kubeconfig());
      const connected = await connectCluster({ mode: 'local', kubeconfigPath: path });
      expect(await connected.createPipelineRun(run(name))).toBe('created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
