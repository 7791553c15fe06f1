/**
 * The cluster adapter's REST client on the wire: what a LIST's pages send, and the faults a real
 * API server or its load balancer produces that the built-in kube-api cannot (a proxy's HTML 502,
 * an answer cut off or stalled half-way, a kept-alive connection closed while idle). Each is seen
 * as the core sees it: ClusterUnavailableError (retry) or the right value.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../functions/adapters/kubernetes/cluster.js';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { Label } from '../../functions/core/pipeline-run.js';
import { type KubeApi, startKubeApi } from '../../local/kube-api/index.js';
import { connectionTo } from '../fixtures/kube-connection.js';
import { pipelineRunObject } from '../fixtures/pipeline-runs.js';

const NS = 'kubernaut-workflows';
const RUN = JSON.stringify({ metadata: { name: 'wfe-run', namespace: NS, uid: 'uid-1' } });

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('against the built-in kube-api', () => {
  let kubeApi: KubeApi;
  let cluster: KubernetesCluster;
  beforeAll(async () => {
    kubeApi = await startKubeApi();
    cluster = new KubernetesCluster(await connectionTo(kubeApi), { requestTimeoutMs: 2000 });
  });
  afterAll(() => kubeApi.close());
  afterEach(() => kubeApi.faults.clear());

  it('lists PipelineRuns a page at a time: limit, continue and the label selector on the wire', async () => {
    const owners = ['we-a', 'we-b', 'we-c', 'we-d', 'we-e'];
    for (const owner of owners)
      await cluster.createPipelineRun(
        pipelineRunObject({
          name: `wfe-page-${owner}`,
          namespace: NS,
          owner: { name: owner, namespace: 'payment' },
          workflowId: 'increase-memory-limit',
          bundle: 'quay.io/kubernaut/workflows/increase-memory:v1',
          serviceAccountName: 'kubernaut-workflow-runner',
        }),
      );
    kubeApi.requests.clear();
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await cluster.listPipelineRuns(NS, 2, cursor);
      pages.push(page.items.map((r) => r.name));
      cursor = page.cursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual(owners.map((o) => `wfe-page-${o}`));
    const queries = kubeApi.requests.list({ method: 'GET' }).map((r) => new URLSearchParams(r.query));
    expect(queries.map((q) => q.get('labelSelector'))).toEqual(Array(3).fill(Label.WorkflowExecution));
    expect(queries.map((q) => q.get('limit'))).toEqual(['2', '2', '2']);
    expect(queries[0]?.has('continue')).toBe(false);
    expect(queries.slice(1).every((q) => q.get('continue'))).toBe(true);
  });

  it('429 with Retry-After: unavailable, the wait named in the message', async () => {
    kubeApi.faults.inject({ status: 429, retryAfterSeconds: 7, times: 1 });
    const err = await rejection(cluster.getPipelineRun(NS, 'wfe-run'));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect(err).toMatchObject({ code: 429 });
    expect((err as Error).message).toMatch(
      /^get PipelineRun kubernaut-workflows\/wfe-run: .* \(HTTP 429, retry after 7 s\)$/,
    );
  });

  it('503 without Retry-After: unavailable, no wait named', async () => {
    kubeApi.faults.inject({ status: 503, times: 1 });
    const err = await rejection(cluster.getPipelineRun(NS, 'wfe-run'));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toMatch(/\(HTTP 503\)$/);
  });
});

/** A plain HTTP server whose every answer the test writes by hand. */
async function rawServer(
  answer: (req: IncomingMessage, res: ServerResponse, socketRequests: number) => void,
) {
  const perSocket = new Map<Socket, number>();
  const server: Server = createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    answer(req, res, n);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cluster = new KubernetesCluster(
    { server: url, insecureSkipTlsVerify: false },
    { requestTimeoutMs: 300 },
  );
  return {
    cluster,
    sockets: () => perSocket.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('faults past the API server', () => {
  let server: Awaited<ReturnType<typeof rawServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a proxy's 502 page: unavailable, with the start of the page as the message", async () => {
    server = await rawServer((_, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    const err = await rejection(server.cluster.getPipelineRun(NS, 'wfe-run'));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect(err).toMatchObject({ code: 502 });
    expect((err as Error).message).toContain('HTTP 502: <html><body>502 Bad Gateway');
  });

  it('an answer that stalls half-way: the deadline covers reading the body', async () => {
    server = await rawServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(RUN.slice(0, 10));
    });
    const started = performance.now();
    const err = await rejection(server.cluster.getPipelineRun(NS, 'wfe-run'));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toBe(
      'get PipelineRun kubernaut-workflows/wfe-run: the Kubernetes API did not answer within 300 ms',
    );
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('a torn connection mid-answer: unavailable, and not sent again', async () => {
    let requests = 0;
    server = await rawServer((_, res) => {
      requests += 1;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(RUN.length) });
      res.write(RUN.slice(0, 10), () => res.socket?.destroy());
    });
    const err = await rejection(server.cluster.getPipelineRun(NS, 'wfe-run'));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toMatch(/^get PipelineRun kubernaut-workflows\/wfe-run: /);
    expect(requests).toBe(1);
  });

  it('a kept-alive connection the server closed while idle: sent again on a new one', async () => {
    server = await rawServer((req, res, onThisSocket) => {
      // The second request on a connection finds it closed, as after a load balancer's idle timeout.
      if (onThisSocket > 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(RUN);
    });
    expect((await server.cluster.getPipelineRun(NS, 'wfe-run'))?.uid).toBe('uid-1');
    expect((await server.cluster.getPipelineRun(NS, 'wfe-run'))?.uid).toBe('uid-1');
    expect(server.sockets()).toBe(2);
  });

  it('a 2xx answer that is not JSON: unavailable, saying so', async () => {
    server = await rawServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
    const err = await rejection(server.cluster.getPipelineRun(NS, 'wfe-run'));
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toBe(
      'get PipelineRun kubernaut-workflows/wfe-run: the API server answered 200 with a body that is not JSON',
    );
  });
});
