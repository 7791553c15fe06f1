import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import { asObj, type Clients, clients, failureOf, NS, type Obj, PR, pipelineRun } from './kube-client.js';

let kubeApi: KubeApi;
let c: Clients;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let counter = 0;

beforeAll(async () => {
  kubeApi = await startKubeApi();
  c = clients(kubeApi);
});
afterAll(() => kubeApi.close());

async function fresh(): Promise<Obj> {
  counter += 1;
  return asObj(
    await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun(`wfe-upd-${counter}`) }),
  );
}

const STATUS = { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running', message: 'm' }] };

describe('status subresource', () => {
  it('ignores .status written to the main resource', async () => {
    const run = await fresh();
    const patched = asObj(
      await c.custom.patchNamespacedCustomObject(
        { ...PR, name: run.metadata.name, body: { status: STATUS, metadata: { labels: { x: 'y' } } } },
        merge,
      ),
    );
    expect(patched.status).toBeUndefined();
    expect(patched.metadata.labels?.x).toBe('y');
  });

  it('takes only .status on /status, keeping generation while resourceVersion moves', async () => {
    const run = await fresh();
    const updated = asObj(
      await c.custom.patchNamespacedCustomObjectStatus(
        {
          ...PR,
          name: run.metadata.name,
          body: { status: STATUS, spec: { status: 'Cancelled' }, metadata: { labels: { sneaky: 'yes' } } },
        },
        merge,
      ),
    );
    expect(updated.status).toEqual(STATUS);
    expect(updated.spec?.status).toBeUndefined();
    expect(updated.metadata.labels?.sneaky).toBeUndefined();
    expect(updated.metadata.generation).toBe(1);
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(run.metadata.resourceVersion));
  });

  it('replaces status with PUT /status, which also needs the resourceVersion', async () => {
    const run = await fresh();
    const replaced = asObj(
      await c.custom.replaceNamespacedCustomObjectStatus({
        ...PR,
        name: run.metadata.name,
        body: { ...run, status: STATUS },
      }),
    );
    expect(replaced.status).toEqual(STATUS);
    const stale = await failureOf(
      c.custom.replaceNamespacedCustomObjectStatus({
        ...PR,
        name: run.metadata.name,
        body: { ...run, status: {} },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
  });
});

describe('generation and resourceVersion', () => {
  it('bumps generation on a spec change but not on a label change', async () => {
    const run = await fresh();
    const labelled = asObj(
      await c.custom.patchNamespacedCustomObject(
        { ...PR, name: run.metadata.name, body: { metadata: { labels: { team: 'a' } } } },
        merge,
      ),
    );
    expect(labelled.metadata.generation).toBe(1);
    const cancelled = asObj(
      await c.custom.patchNamespacedCustomObject(
        { ...PR, name: run.metadata.name, body: { spec: { status: 'Cancelled' } } },
        merge,
      ),
    );
    expect(cancelled.metadata.generation).toBe(2);
  });

  it('keeps the resourceVersion for a write that changes nothing', async () => {
    const run = await fresh();
    const same = asObj(
      await c.custom.patchNamespacedCustomObject(
        { ...PR, name: run.metadata.name, body: { metadata: { labels: run.metadata.labels } } },
        merge,
      ),
    );
    expect(same.metadata.resourceVersion).toBe(run.metadata.resourceVersion);
  });
});

describe('PUT', () => {
  it('answers 422 without metadata.resourceVersion', async () => {
    const run = await fresh();
    const { resourceVersion: _rv, ...metadata } = run.metadata;
    const failure = await failureOf(
      c.custom.replaceNamespacedCustomObject({ ...PR, name: run.metadata.name, body: { ...run, metadata } }),
    );
    expect(failure.code).toBe(422);
    expect(failure.status.message).toBe(
      `PipelineRun.tekton.dev "${run.metadata.name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
    );
  });

  it('answers 409 Conflict with the exact Status for a stale resourceVersion', async () => {
    const run = await fresh();
    await c.custom.patchNamespacedCustomObject(
      { ...PR, name: run.metadata.name, body: { metadata: { labels: { v: '2' } } } },
      merge,
    );
    const failure = await failureOf(
      c.custom.replaceNamespacedCustomObject({ ...PR, name: run.metadata.name, body: run }),
    );
    expect(failure.code).toBe(409);
    expect(JSON.stringify(failure.status)).toBe(
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on pipelineruns.tekton.dev \\"${run.metadata.name}\\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"${run.metadata.name}","group":"tekton.dev","kind":"pipelineruns"},"code":409}`,
    );
  });

  it('answers 404 for a name that does not exist (no create on update)', async () => {
    const failure = await failureOf(
      c.custom.replaceNamespacedCustomObject({
        ...PR,
        name: 'wfe-put-missing',
        body: {
          ...pipelineRun('wfe-put-missing'),
          metadata: { name: 'wfe-put-missing', resourceVersion: '1' },
        },
      }),
    );
    expect(failure.code).toBe(404);
  });

  it('updates with the current resourceVersion', async () => {
    const run = await fresh();
    const updated = asObj(
      await c.custom.replaceNamespacedCustomObject({
        ...PR,
        name: run.metadata.name,
        body: { ...run, metadata: { ...run.metadata, labels: { replaced: 'true' } } },
      }),
    );
    expect(updated.metadata.labels).toEqual({ replaced: 'true' });
  });
});

describe('PATCH', () => {
  it('applies a JSON patch (the client default content type)', async () => {
    const run = await fresh();
    const patched = asObj(
      await c.custom.patchNamespacedCustomObject({
        ...PR,
        name: run.metadata.name,
        body: [{ op: 'add', path: '/spec/status', value: 'Cancelled' }],
      }),
    );
    expect(patched.spec?.status).toBe('Cancelled');
    expect(kubeApi.requests.list({ method: 'PATCH' }).at(-1)?.contentType).toBe(
      'application/json-patch+json',
    );
  });

  it('answers 422 when a JSON patch test fails', async () => {
    const run = await fresh();
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject({
        ...PR,
        name: run.metadata.name,
        body: [{ op: 'test', path: '/spec/status', value: 'Cancelled' }],
      }),
    );
    expect(failure.code).toBe(422);
    expect(failure.status.reason).toBe('Invalid');
  });

  it('answers 415 UnsupportedMediaType to a strategic merge patch', async () => {
    const run = await fresh();
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject(
        { ...PR, name: run.metadata.name, body: { metadata: { labels: { a: 'b' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(failure.code).toBe(415);
    expect(failure.status.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('treats metadata.resourceVersion in a patch as a precondition', async () => {
    const run = await fresh();
    const ok = asObj(
      await c.custom.patchNamespacedCustomObject(
        {
          ...PR,
          name: run.metadata.name,
          body: { metadata: { resourceVersion: run.metadata.resourceVersion, labels: { a: 'b' } } },
        },
        merge,
      ),
    );
    expect(ok.metadata.labels?.a).toBe('b');
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject(
        {
          ...PR,
          name: run.metadata.name,
          body: { metadata: { resourceVersion: run.metadata.resourceVersion, labels: { a: 'c' } } },
        },
        merge,
      ),
    );
    expect(failure.code).toBe(409);
    expect(failure.status.reason).toBe('Conflict');
  });

  it('removes a field with null in a merge patch', async () => {
    const run = await fresh();
    const patched = asObj(
      await c.custom.patchNamespacedCustomObject(
        {
          ...PR,
          name: run.metadata.name,
          body: { metadata: { labels: { 'kubernaut.ai/workflow-execution': null } } },
        },
        merge,
      ),
    );
    expect(patched.metadata.labels).toEqual({});
  });
});

describe('DELETE preconditions', () => {
  it('answers 409 Conflict when preconditions.uid does not match, and keeps the object', async () => {
    const run = await fresh();
    const failure = await failureOf(
      c.custom.deleteNamespacedCustomObject({
        ...PR,
        name: run.metadata.name,
        body: { preconditions: { uid: 'someone-else' } },
      }),
    );
    expect(failure.code).toBe(409);
    expect(failure.status.message).toBe(
      `Operation cannot be fulfilled on pipelineruns.tekton.dev "${run.metadata.name}": Precondition failed: UID in precondition: someone-else, UID in object meta: ${run.metadata.uid}`,
    );
    expect(kubeApi.store.get('pipelineruns', NS, run.metadata.name)).toBeDefined();
  });

  it('answers 409 Conflict when preconditions.resourceVersion is stale', async () => {
    const run = await fresh();
    await c.custom.patchNamespacedCustomObject(
      { ...PR, name: run.metadata.name, body: { metadata: { labels: { n: '1' } } } },
      merge,
    );
    const failure = await failureOf(
      c.custom.deleteNamespacedCustomObject({
        ...PR,
        name: run.metadata.name,
        body: { preconditions: { resourceVersion: run.metadata.resourceVersion } },
      }),
    );
    expect(failure.code).toBe(409);
    expect(failure.status.message).toContain('Precondition failed: ResourceVersion in precondition');
  });

  it('deletes when the preconditions hold', async () => {
    const run = await fresh();
    await c.custom.deleteNamespacedCustomObject({
      ...PR,
      name: run.metadata.name,
      propagationPolicy: 'Background',
      body: { preconditions: { uid: run.metadata.uid, resourceVersion: run.metadata.resourceVersion } },
    });
    expect(kubeApi.store.get('pipelineruns', NS, run.metadata.name)).toBeUndefined();
  });

  it('leaves the object alone on a dry run', async () => {
    const run = await fresh();
    await c.custom.deleteNamespacedCustomObject({ ...PR, name: run.metadata.name, dryRun: 'All' });
    expect(kubeApi.store.get('pipelineruns', NS, run.metadata.name)).toBeDefined();
  });
});
