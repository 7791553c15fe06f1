/**
 * The HTTP front of the API server: logs each request, applies injected faults, authenticates the
 * bearer token, resolves the path and calls the verb. Every failure is answered with a proper
 * metav1.Status body, as a real apiserver does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { resolvePath, type Target } from './api-path.js';
import { discoveryDocument } from './discovery.js';
import { type FaultSpec, type Faults, faultHeaders, faultStatus, type RequestInfo } from './faults.js';
import type { DeleteOptions, ObjectApi } from './operations.js';
import { isJsonObject } from './patch.js';
import type { RequestLog } from './request-log.js';
import {
  badRequest,
  failure,
  internalError,
  methodNotAllowed,
  type Status,
  StatusError,
  unknownResource,
} from './status.js';
import type { ObjectStore } from './store.js';
import { serveWatch, Watches } from './watch.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Readable by anyone, as the system:public-info-viewer role allows on a real cluster. */
const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export interface ServerParts {
  api: ObjectApi;
  store: ObjectStore;
  faults: Faults;
  requests: RequestLog;
  /** The bearer token every request must carry. */
  token: string;
}

export interface KubeServer {
  server: Server;
  /** Ends open watches and pending delayed answers, and destroys open connections. */
  shutdown(): void;
}

function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const sendStatus = (res: ServerResponse, status: Status, headers?: Record<string, string>) =>
  sendJson(res, status.code, status, headers);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new StatusError(
            failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`),
          ),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string, contentType: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body could not be decoded: ${(err as Error).message}`);
  }
}

function deleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  if (body !== undefined && !isJsonObject(body)) throw badRequest('the DeleteOptions body is not an object');
  const pre = isJsonObject(body) && isJsonObject(body.preconditions) ? body.preconditions : undefined;
  if (pre) {
    options.preconditions = {
      ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
      ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
    };
  }
  const policy = (isJsonObject(body) ? body.propagationPolicy : undefined) ?? query.get('propagationPolicy');
  if (typeof policy === 'string') options.propagationPolicy = policy;
  const dryRun = (isJsonObject(body) ? body.dryRun : undefined) ?? query.getAll('dryRun');
  if (Array.isArray(dryRun) && dryRun.includes('All')) options.dryRun = true;
  return options;
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  parts: ServerParts,
  watches: Watches,
  target: Target,
  url: URL,
): Promise<void> {
  const { api, store } = parts;
  const method = req.method ?? 'GET';
  const query = url.searchParams;
  const contentType = req.headers['content-type'] ?? 'application/json';
  const write = {
    dryRun: query.getAll('dryRun').includes('All'),
    fieldManager: query.get('fieldManager') ?? undefined,
  };

  if (target.kind === 'unknown') throw unknownResource();
  if (target.kind === 'discovery') {
    const document = discoveryDocument(target.path);
    if (document === undefined) throw unknownResource();
    if (typeof document === 'string') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(document);
      return;
    }
    sendJson(res, 200, document);
    return;
  }

  const { type, namespace } = target;
  const watching = target.watch || ['true', '1'].includes(query.get('watch') ?? '');
  const body = method === 'GET' ? undefined : await readBody(req);

  if (target.kind === 'collection') {
    if (method === 'GET' && watching) {
      serveWatch(req, res, api, store, watches, { type, ...(namespace ? { namespace } : {}), query });
      return;
    }
    if (method === 'GET') {
      const limit = Number(query.get('limit') ?? '0');
      sendJson(
        res,
        200,
        api.list(type, namespace, {
          labelSelector: query.get('labelSelector') ?? undefined,
          fieldSelector: query.get('fieldSelector') ?? undefined,
          limit: Number.isInteger(limit) ? limit : 0,
          continue: query.get('continue') ?? undefined,
        }),
      );
      return;
    }
    // Namespaced resources are created only through their namespace's path.
    if (method === 'POST' && (namespace !== undefined || !type.namespaced)) {
      sendJson(res, 201, api.create(type, namespace, parseBody(body ?? '', contentType), write));
      return;
    }
    throw methodNotAllowed();
  }

  const { name, subresource } = target;
  const options = { ...write, ...(subresource ? { subresource } : {}) };
  switch (method) {
    case 'GET':
      if (watching) {
        serveWatch(req, res, api, store, watches, { type, ...(namespace ? { namespace } : {}), name, query });
        return;
      }
      sendJson(res, 200, api.get(type, namespace, name));
      return;
    case 'PUT':
      sendJson(res, 200, api.replace(type, namespace, name, parseBody(body ?? '', contentType), options));
      return;
    case 'PATCH':
      sendJson(res, 200, api.patch(type, namespace, name, contentType, body ?? '', options));
      return;
    case 'DELETE':
      if (subresource) throw methodNotAllowed();
      sendJson(
        res,
        200,
        api.delete(type, namespace, name, deleteOptions(parseBody(body ?? '', contentType), query)),
      );
      return;
    default:
      throw methodNotAllowed();
  }
}

export function createKubeServer(parts: ServerParts): KubeServer {
  const watches = new Watches();
  const sockets = new Set<Socket>();
  const delays = new Set<NodeJS.Timeout>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        delays.delete(timer);
        resolve();
      }, ms);
      delays.add(timer);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const record = parts.requests.record({
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      at: new Date(),
    });
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    const target = resolvePath(url.pathname);
    const info: RequestInfo = { method, pathname: url.pathname, search: url.search, target };
    // Faults come before authentication: a sick apiserver or its load balancer fails whatever the credentials.
    const fault: FaultSpec | undefined = parts.faults.take(info);
    if (fault?.delayMs) await wait(fault.delayMs);
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      sendStatus(res, faultStatus(fault, info), faultHeaders(fault));
      return;
    }
    if (!UNAUTHENTICATED_PATHS.has(url.pathname) && req.headers.authorization !== `Bearer ${parts.token}`) {
      sendStatus(res, failure(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    await dispatch(req, res, parts, watches, target, url);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof StatusError) sendStatus(res, err.status, err.headers);
      else sendStatus(res, internalError(err instanceof Error ? err.message : String(err)).status);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    server,
    shutdown() {
      watches.endAll();
      for (const timer of delays) clearTimeout(timer);
      delays.clear();
      for (const socket of sockets) socket.destroy();
    },
  };
}
