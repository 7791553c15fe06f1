/**
 * A local DataStorage: the audit endpoints of Kubernaut's DataStorage service as the forwarder and
 * the tests see them (reference §6): the batch write with its validation and all-or-nothing
 * batches, the query the audit trail is read back with, and the health probes. `wfe dev` and the
 * tests use it when no real DataStorage is configured; tests can inject faults and read what it
 * received.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptBatch, type StoredAuditEvent } from './batch-validation.js';
import { queryEvents } from './event-query.js';
import { type Fault, Faults } from './faults.js';
import { DATABASE_ERROR, type Problem, problem, unauthorized, writeJson, writeProblem } from './problem.js';

export const BATCH_PATH = '/api/v1/audit/events/batch';
export const QUERY_PATH = '/api/v1/audit/events';
const HEALTH_PATHS = new Set(['/health', '/health/ready', '/health/live']);
/** The request log keeps this many of the latest batch requests. */
const REQUEST_LOG_SIZE = 1000;

export interface DataStorageOptions {
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  host?: string;
  /** When set, the API requires `Authorization: Bearer <token>`. */
  token?: string;
  /** DataStorage's own clock, which its timestamp window is measured against. */
  clock?: Clock;
  /** Keeps the events in this file (JSON lines) across restarts. */
  file?: string;
}

/** One batch request as received. */
export interface BatchRequest {
  at: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The answer's status; 0 when the connection was dropped or the client had gone. */
  status: number;
  fault?: Fault['kind'];
}

export interface DataStorage {
  url: string;
  /** Stored events, in the order they were stored. */
  readonly events: readonly StoredAuditEvent[];
  readonly faults: Faults;
  /** The latest batch requests, oldest first. */
  readonly requests: readonly BatchRequest[];
  close(): Promise<void>;
}

/** Where DataStorage reads the time; tests hold it still. */
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function loadEvents(file: string): Promise<StoredAuditEvent[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as StoredAuditEvent);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read DataStorage events from ${file}`, { cause: err });
  }
}

function authProblem(header: string | undefined, token: string): Problem | undefined {
  if (!header) return unauthorized('Missing Authorization header');
  if (!header.startsWith('Bearer '))
    return unauthorized("Invalid Authorization header format (expected 'Bearer <token>')");
  if (header.slice('Bearer '.length) !== token) return unauthorized('Token validation failed: invalid token');
  return undefined;
}

export async function startDataStorage(options: DataStorageOptions = {}): Promise<DataStorage> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const events: StoredAuditEvent[] = options.file ? await loadEvents(options.file) : [];
  const requests: BatchRequest[] = [];
  const faults = new Faults();
  // Appends are chained so the file keeps the order the batches were accepted in.
  let persisted: Promise<void> = Promise.resolve();

  const log = (entry: BatchRequest) => {
    requests.push(entry);
    if (requests.length > REQUEST_LOG_SIZE) requests.shift();
  };

  async function handleBatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) clientGone = true;
    });
    const body = await readBody(req);
    const entry: BatchRequest = { at: clock.now().toISOString(), headers: req.headers, body, status: 0 };
    log(entry);
    const fault = faults.take();
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'drop-connection') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'database-error') {
      entry.status = 500;
      return writeProblem(res, DATABASE_ERROR);
    }
    if (fault?.kind === 'too-many-requests') {
      entry.status = 429;
      return writeProblem(
        res,
        problem('rate-limit-exceeded', 'Too Many Requests', 429, 'rate limit exceeded, retry later'),
        { 'retry-after': String(fault.retryAfterSeconds) },
      );
    }
    if (fault?.kind === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      // The request's context is cancelled with the client: the insert does not happen.
      if (clientGone) return;
    }

    const outcome = acceptBatch(body, clock.now(), randomUUID);
    if (!outcome.ok) {
      entry.status = outcome.problem.status;
      return writeProblem(res, outcome.problem);
    }
    if (options.file) {
      const file = options.file;
      const lines = outcome.events.map((e) => `${JSON.stringify(e)}\n`).join('');
      persisted = persisted.then(() => appendFile(file, lines));
      await persisted;
    }
    events.push(...outcome.events);
    if (fault?.kind === 'store-then-drop') {
      req.socket.destroy();
      return;
    }
    entry.status = 201;
    writeJson(res, 201, {
      event_ids: outcome.events.map((e) => e.event_id),
      message: `${outcome.events.length} audit events created successfully`,
    });
  }

  function handleQuery(url: URL, res: ServerResponse): void {
    const result = queryEvents(events, url.searchParams, clock.now());
    if (result.ok) writeJson(res, 200, result.page);
    else writeProblem(res, result.problem);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://datastorage');
    const method = req.method ?? 'GET';
    if (HEALTH_PATHS.has(url.pathname)) {
      if (method !== 'GET')
        return writeProblem(
          res,
          problem('method-not-allowed', 'Method Not Allowed', 405, `${method} is not allowed`),
        );
      return writeJson(res, 200, { status: 'healthy', database: 'connected' });
    }
    const allowed = { [BATCH_PATH]: 'POST', [QUERY_PATH]: 'GET' }[url.pathname];
    if (!allowed)
      return writeProblem(res, problem('not-found', 'Not Found', 404, `no route for ${url.pathname}`));
    if (method !== allowed)
      return writeProblem(
        res,
        problem(
          'method-not-allowed',
          'Method Not Allowed',
          405,
          `${method} is not allowed on ${url.pathname}`,
        ),
      );
    if (options.token !== undefined) {
      const refused = authProblem(req.headers.authorization, options.token);
      if (refused) {
        if (url.pathname === BATCH_PATH)
          log({
            at: clock.now().toISOString(),
            headers: req.headers,
            body: await readBody(req),
            status: 401,
          });
        return writeProblem(res, refused);
      }
    }
    if (url.pathname === BATCH_PATH) return handleBatch(req, res);
    return handleQuery(url, res);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      writeProblem(res, problem('internal-error', 'Internal Server Error', 500, (err as Error).message));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    events,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
