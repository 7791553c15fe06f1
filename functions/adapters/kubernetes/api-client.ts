/**
 * The few REST calls the cluster adapter makes, on node:http(s) with a keep-alive agent per
 * connection. Each request has its own deadline covering connecting, sending, waiting and reading
 * the body. A non-2xx answer is an ApiError with the body text; no answer is the socket's error or
 * a RequestTimeoutError.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { ApiError, RequestTimeoutError } from './api-error.js';
import type { ClusterConnection } from './connection.js';

/** A namespaced resource: `group` '' is the core API (/api/v1), others are /apis/GROUP/VERSION. */
export interface Resource {
  group: string;
  version: string;
  plural: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/**
 * An idle keep-alive connection the server closed (or that died while a Lambda was frozen) fails
 * with ECONNRESET on reuse before anything was answered; such a request is sent once more on a
 * new connection, as Node.js's documentation advises.
 */
const isStaleReuse = (req: http.ClientRequest, err: unknown) =>
  req.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET';

export class KubeApiClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly send: typeof http.request;

  constructor(
    private readonly connection: ClusterConnection,
    private readonly timeoutMs: number,
  ) {
    this.base = new URL(connection.server);
    if (this.base.protocol === 'https:') {
      this.send = https.request;
      this.agent = new https.Agent({
        keepAlive: true,
        rejectUnauthorized: !connection.insecureSkipTlsVerify,
        ...(connection.ca ? { ca: connection.ca } : {}),
        ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
        ...(connection.clientCertificate ?? {}),
      });
    } else {
      this.send = http.request;
      this.agent = new http.Agent({ keepAlive: true });
    }
  }

  private path(resource: Resource, namespace: string, name?: string): string {
    const root = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
    const collection = `${root}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`;
    return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
  }

  create(resource: Resource, namespace: string, body: unknown): Promise<unknown> {
    return this.request('POST', this.path(resource, namespace), { body });
  }

  get(resource: Resource, namespace: string, name: string): Promise<unknown> {
    return this.request('GET', this.path(resource, namespace, name));
  }

  list(resource: Resource, namespace: string, query: RequestOptions['query']): Promise<unknown> {
    return this.request('GET', this.path(resource, namespace), { query });
  }

  delete(resource: Resource, namespace: string, name: string, body: unknown): Promise<unknown> {
    return this.request('DELETE', this.path(resource, namespace, name), { body });
  }

  private async request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'wfe' };
    const token = await this.connection.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const deadline = Date.now() + this.timeoutMs;
    try {
      return await this.exchange(method, url, headers, payload, deadline);
    } catch (err) {
      if (!(err instanceof StaleConnectionError)) throw err;
      return this.exchange(method, url, headers, payload, deadline);
    }
  }

  private exchange(
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload: Buffer | undefined,
    deadline: number,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = this.send(url, { method, headers, agent: this.agent });
      let answered = false;
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const fail = (err: unknown) =>
        settle(() => reject(!answered && isStaleReuse(req, err) ? new StaleConnectionError(err) : err));
      const timer = setTimeout(
        () => {
          fail(new RequestTimeoutError(this.timeoutMs));
          req.destroy();
        },
        Math.max(0, deadline - Date.now()),
      );
      req.on('error', fail);
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new Error('the connection closed before the answer was complete'));
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) {
            fail(new ApiError(code, text, retryAfterSeconds(res.headers['retry-after'])));
            return;
          }
          try {
            const body: unknown = text ? JSON.parse(text) : undefined;
            settle(() => resolve(body));
          } catch {
            fail(new Error(`the API server answered ${code} with a body that is not JSON`));
          }
        });
      });
      req.end(payload);
    });
  }
}

/** A reused connection was found closed before it carried the request. */
class StaleConnectionError extends Error {
  constructor(cause: unknown) {
    super('a kept-alive connection was closed by the server', { cause });
  }
}

/** Retry-After in seconds (Kubernetes sends whole seconds); undefined when absent or an HTTP date. */
function retryAfterSeconds(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
