/**
 * The adapter against a real cluster with Tekton installed, when KUBECONFIG points at one.
 * Everything happens in a throw-away namespace that is deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../functions/adapters/kubernetes/cluster.js';
import { connectionFor } from '../../functions/adapters/kubernetes/credentials.js';
import { Label } from '../../functions/core/pipeline-run.js';
import { pipelineRunObject } from '../fixtures/pipeline-runs.js';

const enabled = Boolean(process.env.KUBECONFIG);
if (!enabled)
  console.info('cluster.real.test.ts skipped: set KUBECONFIG to run the adapter against a real cluster');

const suffix = randomBytes(4).toString('hex');
const NS = `wfe-test-${suffix}`;
const OWNER = { cluster: 'default', name: `we-real-${suffix}`, namespace: 'payment' };

const run = (name: string, owner = OWNER) =>
  pipelineRunObject({
    name,
    namespace: NS,
    owner,
    workflowId: 'wfe-real-test',
    bundle: 'quay.io/kubernaut/workflows/does-not-exist:v0',
    serviceAccountName: 'default',
  });

describe.skipIf(!enabled)('KubernetesCluster against the cluster in KUBECONFIG', () => {
  const kc = new KubeConfig();
  let core: CoreV1Api;
  let cluster: KubernetesCluster;

  beforeAll(async () => {
    kc.loadFromDefault();
    core = kc.makeApiClient(CoreV1Api);
    cluster = new KubernetesCluster(
      await connectionFor({ mode: 'local', kubeconfigPath: String(process.env.KUBECONFIG) }),
      { requestTimeoutMs: 15_000 },
    );
    await core.createNamespace({
      body: { metadata: { name: NS, labels: { 'app.kubernetes.io/created-by': 'wfe-tests' } } },
    });
    try {
      await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        namespace: NS,
        plural: 'pipelineruns',
      });
    } catch (err) {
      throw new Error(
        'this cluster does not serve tekton.dev/v1 PipelineRuns: install Tekton Pipelines first',
        {
          cause: err,
        },
      );
    }
  }, 60_000);

  afterAll(async () => {
    await core?.deleteNamespace({ name: NS, propagationPolicy: 'Background' }).catch(() => undefined);
  }, 60_000);

  it('creates a run, then reports the existing run with its owner labels', async () => {
    const name = `wfe-${suffix}-a`;
    expect(await cluster.createPipelineRun(run(name))).toBe('created');
    const again = await cluster.createPipelineRun(
      run(name, { cluster: 'default', name: 'we-someone-else', namespace: 'payment' }),
    );
    expect(again).toMatchObject({
      exists: { name, namespace: NS, labels: { [Label.WorkflowExecution]: OWNER.name } },
    });
    const state = await cluster.getPipelineRun(NS, name);
    expect(state?.uid).toMatch(/^[0-9a-f-]{36}$/);
  }, 30_000);

  it('returns undefined for a run that does not exist', async () => {
    expect(await cluster.getPipelineRun(NS, `wfe-${suffix}-missing`)).toBeUndefined();
  });

  it("never deletes another execution's run, and deletes its own", async () => {
    const name = `wfe-${suffix}-b`;
    await cluster.createPipelineRun(run(name));
    expect(
      await cluster.deletePipelineRun(NS, name, {
        cluster: 'default',
        name: 'we-someone-else',
        namespace: 'payment',
      }),
    ).toBe('not-owner');
    expect(await cluster.getPipelineRun(NS, name)).toBeDefined();
    expect(await cluster.deletePipelineRun(NS, name, OWNER)).toBe('deleted');
    // Finalizers (Chains, Results) may keep the object a moment; it must go within a bounded time.
    const deadline = Date.now() + 30_000;
    while ((await cluster.getPipelineRun(NS, name)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await cluster.getPipelineRun(NS, name)).toBeUndefined();
  }, 60_000);

  it('records an event that can be listed', async () => {
    await cluster.recordEvent({
      namespace: NS,
      involvedObject: {
        kind: 'PipelineRun',
        name: `wfe-${suffix}-a`,
        namespace: NS,
        apiVersion: 'tekton.dev/v1',
      },
      type: 'Normal',
      reason: 'WfeRealClusterTest',
      message: `recorded by the wfe real-cluster test ${suffix}`,
    });
    const events = await core.listNamespacedEvent({ namespace: NS });
    expect(
      events.items.some(
        (e) => e.reason === 'WfeRealClusterTest' && e.source?.component === 'workflowexecution-controller',
      ),
    ).toBe(true);
  }, 30_000);
});
