import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import { asObj, type Clients, clients, failureOf, NS, PR, pipelineRun, TR } from './kube-client.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const DENIED =
  'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: ';

let kubeApi: KubeApi;
let c: Clients;

beforeAll(async () => {
  kubeApi = await startKubeApi();
  c = clients(kubeApi);
});
afterAll(() => kubeApi.close());

const badRequest = (message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: DENIED + message,
  reason: 'BadRequest',
  code: 400,
});

describe('defaulting webhook', () => {
  it('fills in timeouts.pipeline 1h0m0s and taskRunTemplate.serviceAccountName "default"', async () => {
    const created = asObj(
      await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-defaults') }),
    );
    expect(created.spec?.timeouts).toEqual({ pipeline: '1h0m0s' });
    expect(created.spec?.taskRunTemplate).toEqual({ serviceAccountName: 'default' });
  });

  it('keeps what is given, in Go duration form', async () => {
    const created = asObj(
      await c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-given', {
          spec: {
            timeouts: { pipeline: '90m' },
            taskRunTemplate: { serviceAccountName: 'kubernaut-workflow-runner' },
          },
        }),
      }),
    );
    expect(created.spec?.timeouts).toEqual({ pipeline: '1h30m0s' });
    expect(created.spec?.taskRunTemplate).toEqual({ serviceAccountName: 'kubernaut-workflow-runner' });
  });

  it('refuses a timeout that is not a duration', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-bad-timeout', { spec: { timeouts: { pipeline: 'soon' } } }),
      }),
    );
    expect(failure.code).toBe(400);
    expect(failure.status.message).toBe(
      'admission webhook "webhook.pipeline.tekton.dev" denied the request: mutation failed: cannot decode incoming new object: time: invalid duration "soon"',
    );
  });
});

describe('validating webhook', () => {
  it('refuses names longer than 63 characters with 400 BadRequest, not 422', async () => {
    const name = `wfe-${'a'.repeat(60)}`;
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun(name) }),
    );
    expect(failure.code).toBe(400);
    expect(failure.status).toEqual(
      badRequest('Invalid resource name: length must be no more than 63 characters: metadata.name'),
    );
  });

  it('accepts a name of exactly 63 characters', async () => {
    const name = `wfe-${'a'.repeat(59)}`;
    expect(
      asObj(await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun(name) })).metadata.name,
    ).toBe(name);
  });

  it('refuses a dot in the name', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe.dotted') }),
    );
    expect(failure.status).toEqual(
      badRequest('Invalid resource name: special character . must not be present: metadata.name'),
    );
  });

  it('refuses an unknown spec.status value', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-status', { spec: { status: 'Paused' } }),
      }),
    );
    expect(failure.status).toEqual(
      badRequest(
        'invalid value: Paused should be Cancelled, CancelledRunFinally, StoppedRunFinally or PipelineRunPending: spec.status',
      ),
    );
  });

  it('needs exactly one of pipelineRef and pipelineSpec', async () => {
    const body = pipelineRun('wfe-noref');
    delete body.spec.pipelineRef;
    const failure = await failureOf(c.custom.createNamespacedCustomObject({ ...PR, body }));
    expect(failure.status).toEqual(
      badRequest('expected exactly one, got neither: spec.pipelineRef, spec.pipelineSpec'),
    );
  });

  it('allows spec.status to change while the run is going, and no other spec field', async () => {
    await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-immutable') });
    kubeApi.simulator.start(NS, 'wfe-immutable');
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject(
        { ...PR, name: 'wfe-immutable', body: { spec: { params: [{ name: 'X', value: '1' }] } } },
        merge,
      ),
    );
    expect(failure.status).toEqual(
      badRequest('invalid value: Once the PipelineRun has started, only status updates are allowed: spec'),
    );
    const relabelled = asObj(
      await c.custom.patchNamespacedCustomObject(
        { ...PR, name: 'wfe-immutable', body: { metadata: { labels: { ok: 'yes' } } } },
        merge,
      ),
    );
    expect(relabelled.metadata.labels?.ok).toBe('yes');
    const cancelling = asObj(
      await c.custom.patchNamespacedCustomObject(
        { ...PR, name: 'wfe-immutable', body: { spec: { status: 'Cancelled' } } },
        merge,
      ),
    );
    expect(cancelling.spec?.status).toBe('Cancelled');
  });

  it('allows no spec update at all once the run is complete', async () => {
    await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-complete') });
    kubeApi.simulator.succeed(NS, 'wfe-complete');
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject(
        { ...PR, name: 'wfe-complete', body: { spec: { status: 'Cancelled' } } },
        merge,
      ),
    );
    expect(failure.status).toEqual(
      badRequest('invalid value: Once the PipelineRun is complete, no updates are allowed: spec'),
    );
  });

  it('refuses PipelineRunPending once the run has started', async () => {
    await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-pending') });
    kubeApi.simulator.start(NS, 'wfe-pending');
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject(
        { ...PR, name: 'wfe-pending', body: { spec: { status: 'PipelineRunPending' } } },
        merge,
      ),
    );
    expect(failure.status.message).toBe(
      `${DENIED}invalid value: PipelineRun cannot be Pending after it is started: spec.status`,
    );
  });

  it('applies to TaskRuns too, which may change spec.status and spec.statusMessage', async () => {
    await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-tr') });
    kubeApi.simulator.start(NS, 'wfe-tr');
    const taskRun = asObj(await c.custom.getNamespacedCustomObject({ ...TR, name: 'wfe-tr-remediate' }));
    expect(taskRun.spec).toMatchObject({ serviceAccountName: 'default', timeout: '1h0m0s' });
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject(
        { ...TR, name: 'wfe-tr-remediate', body: { spec: { timeout: '5m' } } },
        merge,
      ),
    );
    expect(failure.status.message).toBe(
      `${DENIED}invalid value: Once the TaskRun has started, only status and statusMessage updates are allowed: spec`,
    );
  });
});
