import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import { fixedClock } from '../../fakes/clock.js';
import { asObj, type Clients, clients, failureOf, NS, PR, pipelineRun } from './kube-client.js';

const clock = fixedClock('2026-03-01T10:00:00.789Z');
let kubeApi: KubeApi;
let c: Clients;

beforeAll(async () => {
  kubeApi = await startKubeApi({ clock: clock.now });
  c = clients(kubeApi);
});
afterAll(() => kubeApi.close());

describe('create', () => {
  it('answers 201 with server-assigned uid, creationTimestamp, resourceVersion and generation 1, and drops status', async () => {
    const created = asObj(
      await c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-create', { status: { conditions: [{ type: 'Succeeded', status: 'True' }] } }),
      }),
    );
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toBe('2026-03-01T10:00:00Z');
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.namespace).toBe(NS);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(created.status).toBeUndefined();
    expect(
      kubeApi.requests.list({ method: 'POST', path: '/apis/tekton.dev/v1/namespaces/' })[0]?.status,
    ).toBe(201);
  });

  it('takes resourceVersions from one global counter that only goes up', async () => {
    const a = asObj(await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-rv-a') }));
    const b = asObj(await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-rv-b') }));
    const event = await c.core.createNamespacedEvent({
      namespace: NS,
      body: {
        metadata: { name: 'rv.1' },
        involvedObject: { kind: 'PipelineRun', name: 'wfe-rv-a', namespace: NS },
      },
    });
    const versions = [a, b].map((o) => Number(o.metadata.resourceVersion));
    versions.push(Number(event.metadata?.resourceVersion));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(3);
  });

  it('answers 409 AlreadyExists with the exact Status for a name that is taken', async () => {
    await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-dup') });
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-dup') }),
    );
    expect(failure.code).toBe(409);
    expect(JSON.stringify(failure.status)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pipelineruns.tekton.dev \\"wfe-dup\\" already exists","reason":"AlreadyExists","details":{"name":"wfe-dup","group":"tekton.dev","kind":"pipelineruns"},"code":409}',
    );
  });

  it('overwrites a client uid and refuses a client resourceVersion', async () => {
    const created = asObj(
      await c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-uid', { metadata: { uid: 'mine' } }),
      }),
    );
    expect(created.metadata.uid).not.toBe('mine');
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-rv', { metadata: { resourceVersion: '7' } }),
      }),
    );
    expect(failure.code).toBe(500);
    expect(failure.status.message).toBe('resourceVersion should not be set on objects to be created');
  });

  it('generates a name from generateName: the base plus 5 characters', async () => {
    const created = asObj(
      await c.custom.createNamespacedCustomObject({
        ...PR,
        body: { ...pipelineRun(''), metadata: { generateName: 'wfe-gen-' } },
      }),
    );
    expect(created.metadata.name).toMatch(/^wfe-gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('answers 422 Required when neither name nor generateName is given', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({ ...PR, body: { ...pipelineRun(''), metadata: {} } }),
    );
    expect(failure.code).toBe(422);
    expect(failure.status.message).toBe(
      'PipelineRun.tekton.dev "" is invalid: metadata.name: Required value: name or generateName is required',
    );
  });

  it('rejects a body namespace that differs from the path with 400', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-ns', { metadata: { namespace: 'other' } }),
      }),
    );
    expect(failure.code).toBe(400);
    expect(failure.status.reason).toBe('BadRequest');
  });

  it('rejects a wrong kind with 422 naming the field', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({ ...PR, body: { ...pipelineRun('wfe-kind'), kind: 'TaskRun' } }),
    );
    expect(failure.code).toBe(422);
    expect(failure.status.message).toBe(
      'PipelineRun.tekton.dev "wfe-kind" is invalid: kind: Invalid value: "TaskRun": must be PipelineRun',
    );
  });
});

describe('get, list and delete', () => {
  it('answers 404 NotFound with the exact Status for a missing name', async () => {
    const failure = await failureOf(c.custom.getNamespacedCustomObject({ ...PR, name: 'wfe-missing' }));
    expect(failure.code).toBe(404);
    expect(JSON.stringify(failure.status)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pipelineruns.tekton.dev \\"wfe-missing\\" not found","reason":"NotFound","details":{"name":"wfe-missing","group":"tekton.dev","kind":"pipelineruns"},"code":404}',
    );
  });

  it('lists as PipelineRunList with the list resourceVersion, items keeping kind and apiVersion', async () => {
    await c.custom.createNamespacedCustomObject({ ...PR, namespace: 'list-ns', body: pipelineRun('wfe-l1') });
    await c.custom.createNamespacedCustomObject({ ...PR, namespace: 'list-ns', body: pipelineRun('wfe-l2') });
    const list = (await c.custom.listNamespacedCustomObject({ ...PR, namespace: 'list-ns' })) as {
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion: string };
      items: { kind: string; apiVersion: string; metadata: { name: string } }[];
    };
    expect(list.kind).toBe('PipelineRunList');
    expect(list.apiVersion).toBe('tekton.dev/v1');
    expect(list.metadata.resourceVersion).toBe(kubeApi.store.resourceVersion);
    expect(list.items.map((i) => [i.metadata.name, i.kind, i.apiVersion])).toEqual([
      ['wfe-l1', 'PipelineRun', 'tekton.dev/v1'],
      ['wfe-l2', 'PipelineRun', 'tekton.dev/v1'],
    ]);
  });

  it('pages a list with limit and continue', async () => {
    for (const name of ['wfe-p1', 'wfe-p2', 'wfe-p3'])
      await c.custom.createNamespacedCustomObject({ ...PR, namespace: 'page-ns', body: pipelineRun(name) });
    const first = (await c.custom.listNamespacedCustomObject({ ...PR, namespace: 'page-ns', limit: 2 })) as {
      metadata: { continue?: string; remainingItemCount?: number };
      items: { metadata: { name: string } }[];
    };
    expect(first.items.map((i) => i.metadata.name)).toEqual(['wfe-p1', 'wfe-p2']);
    expect(first.metadata.remainingItemCount).toBe(1);
    const rest = (await c.custom.listNamespacedCustomObject({
      ...PR,
      namespace: 'page-ns',
      limit: 2,
      _continue: first.metadata.continue,
    })) as { metadata: { continue?: string }; items: { metadata: { name: string } }[] };
    expect(rest.items.map((i) => i.metadata.name)).toEqual(['wfe-p3']);
    expect(rest.metadata.continue).toBeUndefined();
  });

  it('lists across namespaces on the cluster-wide path', async () => {
    const all = (await c.custom.listClusterCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      plural: 'pipelineruns',
    })) as {
      items: { metadata: { namespace: string } }[];
    };
    expect(new Set(all.items.map((i) => i.metadata.namespace))).toEqual(new Set([NS, 'list-ns', 'page-ns']));
  });

  it('deletes with a Success Status, then answers 404 to GET and to a second DELETE', async () => {
    const created = asObj(
      await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-del') }),
    );
    const deleted = await c.custom.deleteNamespacedCustomObject({ ...PR, name: 'wfe-del' });
    expect(deleted).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'wfe-del', group: 'tekton.dev', kind: 'pipelineruns', uid: created.metadata.uid },
      code: 200,
    });
    expect((await failureOf(c.custom.getNamespacedCustomObject({ ...PR, name: 'wfe-del' }))).code).toBe(404);
    expect(
      (await failureOf(c.custom.deleteNamespacedCustomObject({ ...PR, name: 'wfe-del' }))).status.reason,
    ).toBe('NotFound');
  });

  it('answers 404 NotFound to PATCH of a missing name', async () => {
    const failure = await failureOf(
      c.custom.patchNamespacedCustomObject({
        ...PR,
        name: 'wfe-nothing',
        body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
      }),
    );
    expect(failure.code).toBe(404);
  });
});

describe('resources the server does not serve', () => {
  it('answers the exact 404 "the server could not find the requested resource"', async () => {
    const failure = await failureOf(
      c.custom.listNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1beta1',
        namespace: NS,
        plural: 'pipelineruns',
      }),
    );
    expect(failure.code).toBe(404);
    expect(JSON.stringify(failure.status)).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}',
    );
    const unknownGroup = await failureOf(
      c.custom.getNamespacedCustomObject({
        group: 'example.com',
        version: 'v1',
        namespace: NS,
        plural: 'things',
        name: 'x',
      }),
    );
    expect(unknownGroup.status.message).toBe('the server could not find the requested resource');
  });
});

describe('events and namespaces', () => {
  it('creates, gets and lists core v1 Events, trimming timestamps to seconds', async () => {
    await c.core.createNamespacedEvent({
      namespace: 'ev-ns',
      body: {
        metadata: { name: 'we-1.17a2' },
        involvedObject: { kind: 'WorkflowExecution', name: 'we-1', namespace: 'ev-ns' },
        reason: 'PipelineRunCreated',
        message: 'Created PipelineRun kubernaut-workflows/wfe-1',
        type: 'Normal',
        source: { component: 'workflowexecution-controller' },
        firstTimestamp: new Date('2026-03-01T10:00:00.250Z'),
      },
    });
    const read = await c.core.readNamespacedEvent({ namespace: 'ev-ns', name: 'we-1.17a2' });
    expect(read.reason).toBe('PipelineRunCreated');
    expect(read.firstTimestamp?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    const list = await c.core.listNamespacedEvent({ namespace: 'ev-ns' });
    expect(list.items.map((e) => e.metadata?.name)).toEqual(['we-1.17a2']);
  });

  it('refuses an event whose involved object is in another namespace', async () => {
    const failure = await failureOf(
      c.core.createNamespacedEvent({
        namespace: 'ev-ns',
        body: {
          metadata: { name: 'x.1' },
          involvedObject: { kind: 'Pod', name: 'p', namespace: 'elsewhere' },
        },
      }),
    );
    expect(failure.code).toBe(422);
    expect(failure.status.message).toContain('involvedObject.namespace');
  });

  it('creates namespaces on first use and serves them', async () => {
    const ns = await c.core.readNamespace({ name: 'ev-ns' });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.metadata?.labels?.['kubernetes.io/metadata.name']).toBe('ev-ns');
    const missing = await failureOf(c.core.readNamespace({ name: 'never-used' }));
    expect(missing.status.message).toBe('namespaces "never-used" not found');
  });

  it('deletes a namespace with everything in it', async () => {
    await c.custom.createNamespacedCustomObject({
      ...PR,
      namespace: 'doomed',
      body: pipelineRun('wfe-doomed'),
    });
    await c.core.deleteNamespace({ name: 'doomed' });
    expect(kubeApi.store.list('pipelineruns', 'doomed')).toEqual([]);
    expect(kubeApi.store.get('namespaces', undefined, 'doomed')).toBeUndefined();
  });
});

describe('strict namespaces', () => {
  it('answers 404 namespaces "x" not found when creating in a namespace that does not exist', async () => {
    const strict = await startKubeApi({ strictNamespaces: true });
    try {
      const s = clients(strict);
      const failure = await failureOf(
        s.custom.createNamespacedCustomObject({ ...PR, namespace: 'absent', body: pipelineRun('wfe-x') }),
      );
      expect(failure.code).toBe(404);
      expect(JSON.stringify(failure.status)).toBe(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"absent\\" not found","reason":"NotFound","details":{"name":"absent","kind":"namespaces"},"code":404}',
      );
      await s.core.createNamespace({ body: { metadata: { name: 'absent' } } });
      await s.custom.createNamespacedCustomObject({ ...PR, namespace: 'absent', body: pipelineRun('wfe-x') });
    } finally {
      await strict.close();
    }
  });
});

describe('authentication and discovery', () => {
  it('answers 401 to a request without the bearer token, and serves /version without one', async () => {
    const res = await fetch(`${kubeApi.url}/apis/tekton.dev/v1/namespaces/${NS}/pipelineruns`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const version = await fetch(`${kubeApi.url}/version`);
    expect(((await version.json()) as { major: string }).major).toBe('1');
  });

  it('lists the Tekton resources in discovery', async () => {
    const res = await fetch(`${kubeApi.url}/apis/tekton.dev/v1`, {
      headers: { Authorization: 'Bearer wfe-local-token' },
    });
    const doc = (await res.json()) as { resources: { name: string }[] };
    expect(doc.resources.map((r) => r.name)).toEqual([
      'pipelineruns',
      'pipelineruns/status',
      'taskruns',
      'taskruns/status',
    ]);
  });
});
