import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import { type Clients, clients, failureOf, NS, PR, pipelineRun } from './kube-client.js';

let kubeApi: KubeApi;
let c: Clients;

beforeAll(async () => {
  kubeApi = await startKubeApi();
  c = clients(kubeApi);
  await c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-f') });
});
afterEach(() => kubeApi.faults.clear());
afterAll(() => kubeApi.close());

const get = () => c.custom.getNamespacedCustomObject({ ...PR, name: 'wfe-f' });

describe('fault injection', () => {
  it('answers 401 Unauthorized', async () => {
    kubeApi.faults.inject({ status: 401 });
    const failure = await failureOf(get());
    expect(failure.code).toBe(401);
  });

  it('answers 403 Forbidden with the RBAC wording for the resource and namespace', async () => {
    kubeApi.faults.inject({ method: 'POST', status: 403 });
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-g') }),
    );
    expect(failure.code).toBe(403);
    expect(failure.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `pipelineruns.tekton.dev is forbidden: User "wfe" cannot create resource "pipelineruns" in API group "tekton.dev" in the namespace "${NS}"`,
      reason: 'Forbidden',
      details: { group: 'tekton.dev', kind: 'pipelineruns' },
      code: 403,
    });
  });

  it('answers 429 TooManyRequests with Retry-After', async () => {
    kubeApi.faults.inject({ status: 429, retryAfterSeconds: 7 });
    const failure = await failureOf(get());
    expect(failure.code).toBe(429);
    expect(failure.headers['retry-after']).toBe('7');
    expect(failure.status).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 7 } });
  });

  it('answers 500 InternalError and 503 ServiceUnavailable as Status bodies', async () => {
    kubeApi.faults.inject({ status: 500, times: 1 });
    kubeApi.faults.inject({ status: 503, times: 1 });
    const first = await failureOf(get());
    const second = await failureOf(get());
    expect([first.code, first.status.reason]).toEqual([500, 'InternalError']);
    expect([second.code, second.status.reason]).toEqual([503, 'ServiceUnavailable']);
    await expect(get()).resolves.toBeDefined();
  });

  it('applies a fault only the given number of times, and counts its hits', async () => {
    const fault = kubeApi.faults.inject({ status: 500, times: 2 });
    expect((await failureOf(get())).code).toBe(500);
    expect((await failureOf(get())).code).toBe(500);
    await expect(get()).resolves.toBeDefined();
    expect(fault.hits).toBe(2);
  });

  it('matches on method and path, and is removed by its handle', async () => {
    const fault = kubeApi.faults.inject({ method: 'DELETE', path: /pipelineruns\/wfe-f\?/, status: 500 });
    await expect(get()).resolves.toBeDefined();
    expect(
      (await failureOf(c.custom.deleteNamespacedCustomObject({ ...PR, name: 'wfe-f', dryRun: 'All' }))).code,
    ).toBe(500);
    fault.clear();
    await expect(
      c.custom.deleteNamespacedCustomObject({ ...PR, name: 'wfe-f', dryRun: 'All' }),
    ).resolves.toBeDefined();
    kubeApi.faults.inject({ path: '/api/v1/', status: 503 });
    await expect(get()).resolves.toBeDefined();
  });

  it('answers slowly with delayMs', async () => {
    kubeApi.faults.inject({ delayMs: 150, times: 1 });
    const started = performance.now();
    await get();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops the connection without answering', async () => {
    kubeApi.faults.inject({ drop: true, times: 1 });
    await expect(get()).rejects.toMatchObject({ name: 'FetchError', code: 'ECONNRESET' });
    const dropped = kubeApi.requests.list().at(-1);
    expect(dropped?.status).toBeUndefined();
    await expect(get()).resolves.toBeDefined();
  });

  it('logs every request with method, path and query', async () => {
    kubeApi.requests.clear();
    await c.custom.listNamespacedCustomObject({ ...PR, labelSelector: 'a=b' });
    expect(kubeApi.requests.list()).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: `/apis/tekton.dev/v1/namespaces/${NS}/pipelineruns`,
        query: 'labelSelector=a%3Db',
        status: 200,
      }),
    ]);
    expect(kubeApi.requests.count({ method: 'POST' })).toBe(0);
  });
});
