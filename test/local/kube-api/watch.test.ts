import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import { asObj, type Clients, clients, eventually, NS, PR, pipelineRun } from './kube-client.js';

const PATH = `/apis/tekton.dev/v1/namespaces/${NS}/pipelineruns`;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Seen {
  type: string;
  name: string;
  resourceVersion: string;
}

let kubeApi: KubeApi;
let c: Clients;
const open: AbortController[] = [];

beforeEach(async () => {
  kubeApi = await startKubeApi({ watchHistory: 5 });
  c = clients(kubeApi);
});
afterEach(async () => {
  for (const controller of open.splice(0)) controller.abort();
  await kubeApi.close();
});

async function watch(params: Record<string, string | number | boolean | undefined> = {}) {
  const events: Seen[] = [];
  const errors: Record<string, unknown>[] = [];
  const state: { ended: boolean; error: unknown } = { ended: false, error: undefined };
  const controller = await new Watch(c.kc).watch(
    PATH,
    params,
    (type, object: { metadata?: { name: string; resourceVersion: string } }) => {
      if (type === 'ERROR') errors.push(object as Record<string, unknown>);
      else
        events.push({
          type,
          name: object.metadata?.name ?? '',
          resourceVersion: object.metadata?.resourceVersion ?? '',
        });
    },
    (err: unknown) => {
      state.ended = true;
      state.error = err;
    },
  );
  open.push(controller);
  return { events, errors, state };
}

const create = (name: string, labels?: Record<string, string>) =>
  c.custom.createNamespacedCustomObject({
    ...PR,
    body: pipelineRun(name, labels ? { metadata: { labels } } : {}),
  });

describe('watch', () => {
  it('opens with ADDED for what exists, then streams MODIFIED and DELETED with their resourceVersions', async () => {
    await create('wfe-w1');
    const w = await watch();
    await eventually(() => expect(w.events.map((e) => e.type)).toEqual(['ADDED']));
    const started = kubeApi.simulator.start(NS, 'wfe-w1');
    await c.custom.deleteNamespacedCustomObject({ ...PR, name: 'wfe-w1' });
    await eventually(() => expect(w.events.at(-1)?.type).toBe('DELETED'));
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    expect(w.events.map((e) => e.name)).toEqual(Array(5).fill('wfe-w1'));
    const versions = w.events.map((e) => Number(e.resourceVersion));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(w.events[3]?.resourceVersion).toBe(started.metadata.resourceVersion);
  });

  it('applies the label selector, turning objects that leave or enter it into DELETED and ADDED', async () => {
    await create('wfe-in', { team: 'a' });
    await create('wfe-out', { team: 'b' });
    const w = await watch({ labelSelector: 'team=a' });
    await c.custom.patchNamespacedCustomObject(
      { ...PR, name: 'wfe-in', body: { metadata: { labels: { team: 'b' } } } },
      merge,
    );
    await c.custom.patchNamespacedCustomObject(
      { ...PR, name: 'wfe-out', body: { metadata: { labels: { team: 'a' } } } },
      merge,
    );
    await create('wfe-other', { team: 'c' });
    await eventually(() => expect(w.events).toHaveLength(3));
    expect(w.events.map((e) => [e.type, e.name])).toEqual([
      ['ADDED', 'wfe-in'],
      ['DELETED', 'wfe-in'],
      ['ADDED', 'wfe-out'],
    ]);
  });

  it('starts after an explicit resourceVersion without replaying what existed', async () => {
    const first = asObj(await create('wfe-old'));
    await create('wfe-new');
    const w = await watch({ resourceVersion: first.metadata.resourceVersion });
    await eventually(() => expect(w.events.map((e) => [e.type, e.name])).toEqual([['ADDED', 'wfe-new']]));
  });

  it('sends an ERROR 410 Expired when the resourceVersion is older than the history', async () => {
    const first = asObj(await create('wfe-e0'));
    for (let i = 1; i <= 6; i++) await create(`wfe-e${i}`);
    const w = await watch({ resourceVersion: first.metadata.resourceVersion });
    await eventually(() => expect(w.errors).toHaveLength(1));
    expect(w.errors[0]).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    await eventually(() => expect(w.state.ended).toBe(true));
  });

  it('ends cleanly after timeoutSeconds', async () => {
    const w = await watch({ timeoutSeconds: 1 });
    await eventually(() => expect(w.state.ended).toBe(true), 3000);
    expect(w.state.error).toBeNull();
  });

  it('streams newline-delimited JSON events on a chunked 200 response', async () => {
    await create('wfe-raw');
    const controller = new AbortController();
    open.push(controller);
    const res = await fetch(`${kubeApi.url}${PATH}?watch=true`, {
      headers: { Authorization: 'Bearer wfe-local-token' },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text.endsWith('\n')).toBe(true);
    const event = JSON.parse(text.trim().split('\n')[0] as string) as {
      type: string;
      object: { kind: string };
    };
    expect(event.type).toBe('ADDED');
    expect(event.object.kind).toBe('PipelineRun');
  });

  it('watches one object through the legacy /watch/ path', async () => {
    await create('wfe-one');
    await create('wfe-two');
    const events: string[] = [];
    const controller = await new Watch(c.kc).watch(
      `/apis/tekton.dev/v1/watch/namespaces/${NS}/pipelineruns/wfe-two`,
      {},
      (type, object: { metadata: { name: string } }) => events.push(`${type} ${object.metadata.name}`),
      () => {},
    );
    open.push(controller);
    await eventually(() => expect(events).toEqual(['ADDED wfe-two']));
  });
});
