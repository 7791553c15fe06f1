import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DataStorage, startDataStorage } from '../../../local/datastorage/server.js';
import { fixedClock } from '../../fakes/clock.js';
import { completedEvent, failedEvent, startedEvent } from '../../fixtures/audit-events.js';

const NOW = '2026-03-01T12:00:00Z';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const open: DataStorage[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ds) => ds.close()));
});

async function start(options: Parameters<typeof startDataStorage>[0] = {}) {
  const clock = fixedClock(NOW);
  const ds = await startDataStorage({ clock, ...options });
  open.push(ds);
  return { ds, clock };
}

const minute = 60_000;
const ago = (ms: number) => new Date(Date.parse(NOW) - ms);
const event = (name = 'we-a', at = ago(10 * minute)) => startedEvent({ name }, at);

async function post(ds: DataStorage, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${ds.url}/api/v1/audit/events/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function query(ds: DataStorage, params: Record<string, string | number> = {}) {
  const search = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  );
  const res = await fetch(`${ds.url}/api/v1/audit/events?${search}`);
  return {
    status: res.status,
    body: (await res.json()) as { data: Record<string, unknown>[]; pagination: unknown } & Record<
      string,
      unknown
    >,
  };
}

const problem = (code: string, title: string, detail: string) => ({
  status: 400,
  type: 'application/problem+json',
  body: { type: `https://kubernaut.ai/problems/${code}`, title, status: 400, detail },
});

describe('local DataStorage: POST /api/v1/audit/events/batch', () => {
  it('stores a batch and answers 201 with one event id per event', async () => {
    const { ds } = await start();
    const batch = [event('we-a'), event('we-b'), event('we-c')];
    const res = await post(ds, batch);
    expect(res.status).toBe(201);
    expect(res.body.message).toBe('3 audit events created successfully');
    const ids = res.body.event_ids as string[];
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(ds.events.map((e) => e.event_id)).toEqual(ids);
    expect(ds.events[0]).toMatchObject({
      ...batch[0],
      event_timestamp: '2026-03-01T11:50:00Z',
      event_date: '2026-03-01',
      severity: 'info',
      cluster_name: 'default',
      retention_days: 2555,
    });
  });

  it('fills the server defaults for absent optional fields', async () => {
    const { ds } = await start();
    const { actor_type, actor_id, resource_type, resource_id, namespace, cluster_name, ...bare } = event();
    await post(ds, [bare]);
    expect(ds.events[0]).toMatchObject({
      actor_type: 'service',
      actor_id: 'workflow-service',
      resource_type: 'workflow',
      resource_id: bare.correlation_id,
      namespace: null,
      cluster_name: null,
      severity: 'info',
      parent_event_id: null,
      duration_ms: null,
    });
  });

  it.each([
    [
      'a single object',
      JSON.stringify(event()),
      problem('invalid_request', 'Invalid Request', 'request body must be a JSON array, not a single object'),
    ],
    [
      'bad JSON',
      '[{"version":',
      problem(
        'invalid_request',
        'Invalid Request',
        expect.stringMatching(/^request body must be a JSON array: /),
      ),
    ],
    [
      'a number',
      '42',
      problem(
        'invalid_request',
        'Invalid Request',
        'request body must be a JSON array: json: cannot unmarshal number into Go value of type []AuditEventRequest',
      ),
    ],
    ['an empty array', '[]', problem('validation-error', 'Validation Error', 'batch cannot be empty')],
    ['null', 'null', problem('validation-error', 'Validation Error', 'batch cannot be empty')],
  ])('refuses %s', async (_name, body, expected) => {
    const { ds } = await start();
    expect(await post(ds, body)).toEqual(expected);
    expect(ds.events).toEqual([]);
  });

  const schemaError = (at: string, message: string) =>
    problem(
      'validation-error',
      'Validation Error',
      `request body has an error: doesn't match schema: Error at "${at}": ${message}`,
    );

  it.each([
    'version',
    'event_type',
    'event_timestamp',
    'event_category',
    'event_action',
    'event_outcome',
    'correlation_id',
    'event_data',
  ])('refuses an event without %s', async (field) => {
    const { ds } = await start();
    const incomplete: Record<string, unknown> = { ...event() };
    delete incomplete[field];
    expect(await post(ds, [event('we-ok'), incomplete])).toEqual(
      schemaError('/1', `property "${field}" is missing`),
    );
  });

  it.each([
    ['version', '', 'minimum string length is 1'],
    ['version', 'v'.repeat(21), 'maximum string length is 20'],
    ['event_type', '', 'minimum string length is 1'],
    ['event_type', 't'.repeat(101), 'maximum string length is 100'],
    ['event_action', 'a'.repeat(51), 'maximum string length is 50'],
    ['correlation_id', '', 'minimum string length is 1'],
    ['correlation_id', 'c'.repeat(256), 'maximum string length is 255'],
    [
      'event_category',
      'workflowexecution',
      'value is not one of the allowed values ["gateway","notification","analysis","signalprocessing","workflow","execution","orchestration"]',
    ],
    ['event_outcome', 'done', 'value is not one of the allowed values ["success","failure","pending"]'],
    ['event_timestamp', '01/03/2026 12:00', `string doesn't match the format "date-time"`],
    ['parent_event_id', 'nope', `string doesn't match the format "uuid"`],
    ['actor_id', 7, 'value must be a string'],
    ['duration_ms', 'fast', 'value must be an integer'],
    ['actor_type', null, 'Value is not nullable'],
  ])('refuses %s = %j', async (field, value, message) => {
    const { ds } = await start();
    expect(await post(ds, [{ ...event(), [field]: value }])).toEqual(schemaError(`/0/${field}`, message));
  });

  it('accepts the boundary lengths and nulls where the schema allows them', async () => {
    const { ds } = await start();
    const res = await post(ds, [
      {
        ...event(),
        version: 'v'.repeat(20),
        correlation_id: 'c'.repeat(255),
        namespace: null,
        severity: null,
        duration_ms: null,
      },
    ]);
    expect(res.status).toBe(201);
  });

  it('refuses an event stamped more than 5 minutes ahead of its clock', async () => {
    const { ds } = await start();
    const future = event('we-future', new Date(Date.parse(NOW) + 6 * minute));
    expect(await post(ds, [event(), future])).toEqual(
      problem(
        'validation-error',
        'Validation Error',
        'event at index 1: invalid timestamp: timestamp is in the future (server time: 2026-03-01T12:00:00Z, event time: 2026-03-01T12:06:00Z)',
      ),
    );
    expect((await post(ds, [event('we-skew', new Date(Date.parse(NOW) + 5 * minute))])).status).toBe(201);
  });

  it('refuses an event older than 7 days', async () => {
    const { ds } = await start();
    const old = event('we-old', ago(8 * 24 * 60 * minute));
    expect(await post(ds, [old])).toEqual(
      problem(
        'validation-error',
        'Validation Error',
        'event at index 0: invalid timestamp: timestamp is too old (must be within 7 days, age: 192h0m0s)',
      ),
    );
  });

  it('refuses event_data that is not a JSON object', async () => {
    const { ds } = await start();
    expect(await post(ds, [event(), { ...event(), event_data: ['a'] }])).toEqual(
      problem(
        'invalid_event_data',
        'Invalid Event Data',
        'event at index 1: event_data must be a JSON object',
      ),
    );
  });

  it('stores all of a batch or none of it', async () => {
    const { ds } = await start();
    const res = await post(ds, [event('we-1'), event('we-2'), { ...event('we-3'), event_outcome: 'x' }]);
    expect(res.status).toBe(400);
    expect(ds.events).toEqual([]);
  });

  it('requires the bearer token when one is configured', async () => {
    const { ds } = await start({ token: 's3cret' });
    const unauthorized = (detail: string) => ({
      status: 401,
      type: 'application/problem+json',
      body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail },
    });
    expect(await post(ds, [event()])).toEqual(unauthorized('Missing Authorization header'));
    expect(await post(ds, [event()], { authorization: 'Basic abc' })).toEqual(
      unauthorized("Invalid Authorization header format (expected 'Bearer <token>')"),
    );
    expect(await post(ds, [event()], { authorization: 'Bearer wrong' })).toEqual(
      unauthorized('Token validation failed: invalid token'),
    );
    expect((await post(ds, [event()], { authorization: 'Bearer s3cret' })).status).toBe(201);
    expect((await fetch(`${ds.url}/health`)).status).toBe(200);
    expect(ds.requests.map((r) => r.status)).toEqual([401, 401, 401, 201]);
    expect(ds.requests[3]!.headers.authorization).toBe('Bearer s3cret');
  });
});

describe('local DataStorage: faults', () => {
  it('answers 500 with the database-error body, as many times as asked', async () => {
    const { ds } = await start();
    ds.faults.databaseError({ times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await post(ds, [event()]);
      expect(res).toEqual({
        status: 500,
        type: 'application/problem+json',
        body: {
          type: 'https://kubernaut.ai/problems/database-error',
          title: 'Database Error',
          status: 500,
          detail: 'Failed to write audit events batch to database',
          instance: '/api/v1/audit/events/batch',
        },
      });
    }
    expect((await post(ds, [event()])).status).toBe(201);
    expect(ds.events).toHaveLength(1);
  });

  it('answers 429 with Retry-After', async () => {
    const { ds } = await start();
    ds.faults.tooManyRequests({ times: 1, retryAfterSeconds: 3 });
    const res = await fetch(`${ds.url}/api/v1/audit/events/batch`, {
      method: 'POST',
      body: JSON.stringify([event()]),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    await res.body?.cancel();
  });

  it('drops the connection without an answer', async () => {
    const { ds } = await start();
    ds.faults.dropConnection({ times: 1 });
    await expect(post(ds, [event()])).rejects.toThrow();
    expect(ds.events).toEqual([]);
    expect(ds.requests[0]).toMatchObject({ status: 0, fault: 'drop-connection' });
  });

  it('answers late when slow, and stores nothing if the client gave up', async () => {
    const { ds } = await start();
    ds.faults.slow(300, { times: 1 });
    await expect(
      fetch(`${ds.url}/api/v1/audit/events/batch`, {
        method: 'POST',
        body: JSON.stringify([event()]),
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(ds.events).toEqual([]);
    ds.faults.slow(30, { times: 1 });
    expect((await post(ds, [event()])).status).toBe(201);
  });
});

describe('local DataStorage: GET /api/v1/audit/events', () => {
  async function seeded() {
    const { ds, clock } = await start();
    const t0 = ago(60 * minute);
    const lifecycle = [
      startedEvent({ name: 'we-a', labels: { 'kubernaut.ai/correlation-id': 'corr-a' } }, t0),
      completedEvent({ name: 'we-a', labels: { 'kubernaut.ai/correlation-id': 'corr-a' } }, t0, 60),
      startedEvent({ name: 'we-b' }, new Date(t0.getTime() + 10 * minute)),
      failedEvent({ name: 'we-b' }, new Date(t0.getTime() + 10 * minute), 120),
    ];
    expect((await post(ds, lifecycle)).status).toBe(201);
    return { ds, clock, lifecycle };
  }

  it('filters by type, category, outcome, severity and correlation id', async () => {
    const { ds } = await seeded();
    const ids = async (params: Record<string, string>) =>
      (await query(ds, params)).body.data.map((e) => `${e.correlation_id}:${e.event_type}`);
    expect(await ids({ event_category: 'workflow', correlation_id: 'corr-a' })).toEqual([
      'corr-a:workflow.completed',
      'corr-a:workflow.started',
    ]);
    expect(await ids({ event_type: 'workflow.started' })).toEqual([
      'we-b:workflow.started',
      'corr-a:workflow.started',
    ]);
    expect(await ids({ event_outcome: 'failure' })).toEqual(['we-b:workflow.failed']);
    expect(await ids({ severity: 'info', correlation_id: 'we-b' })).toHaveLength(2);
    expect(await ids({ event_category: 'gateway' })).toEqual([]);
  });

  it('filters by time, relative or RFC 3339', async () => {
    const { ds } = await seeded();
    const count = async (params: Record<string, string>) => (await query(ds, params)).body.data.length;
    expect(await count({ since: '24h' })).toBe(4);
    expect(await count({ since: '55m' })).toBe(2);
    expect(await count({ since: '2026-03-01T11:09:00Z' })).toBe(2);
    expect(await count({ until: '2026-03-01T11:01:00Z' })).toBe(2);
    const bad = await query(ds, { since: 'last tuesday' });
    expect(bad.status).toBe(400);
  });

  it('returns the newest first, then by event id, with event_id and event_date', async () => {
    const { ds } = await start();
    const at = ago(minute);
    await post(ds, [event('we-x', at), event('we-y', at), event('we-z', ago(2 * minute))]);
    const { data } = (await query(ds)).body;
    expect(data[0]!.event_id! > data[1]!.event_id!).toBe(true);
    expect(data.map((e) => e.event_timestamp)).toEqual([
      '2026-03-01T11:59:00Z',
      '2026-03-01T11:59:00Z',
      '2026-03-01T11:58:00Z',
    ]);
    expect(data[2]).toMatchObject({
      resource_id: 'we-z',
      event_date: '2026-03-01',
      event_id: expect.stringMatching(UUID),
    });
  });

  it('pages with limit and offset, default 50, at most 1000', async () => {
    const { ds } = await start();
    await post(
      ds,
      Array.from({ length: 120 }, (_, i) => event(`we-${i}`, ago((i + 1) * 1000))),
    );
    const first = await query(ds);
    expect(first.body.data).toHaveLength(50);
    expect(first.body.pagination).toEqual({ limit: 50, offset: 0, total: 120, has_more: true });
    const last = await query(ds, { limit: 30, offset: 100 });
    expect(last.body.data.map((e) => e.resource_id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `we-${100 + i}`),
    );
    expect(last.body.pagination).toEqual({ limit: 30, offset: 100, total: 120, has_more: false });
    expect((await query(ds, { limit: 0 })).status).toBe(400);
    expect((await query(ds, { limit: 1001 })).status).toBe(400);
    expect((await query(ds, { offset: -1 })).status).toBe(400);
    expect((await query(ds, { limit: 1000 })).body.data).toHaveLength(120);
  });
});

describe('local DataStorage: health and persistence', () => {
  it('answers the health probes', async () => {
    const { ds } = await start();
    for (const path of ['/health', '/health/ready', '/health/live'])
      expect((await fetch(`${ds.url}${path}`)).status).toBe(200);
    expect((await fetch(`${ds.url}/api/v1/nothing`)).status).toBe(404);
  });

  it('keeps its events in a file across restarts when given one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wfe-ds-'));
    try {
      const file = join(dir, 'events.jsonl');
      const first = await startDataStorage({ file, clock: fixedClock(NOW) });
      await post(first, [event('we-kept')]);
      await first.close();
      const { ds } = await start({ file });
      expect(ds.events.map((e) => e.resource_id)).toEqual(['we-kept']);
      expect((await query(ds)).body.data).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
