import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { dataStorageAuditClient } from '../../../functions/adapters/datastorage/audit-client.js';
import { secretsManagerToken } from '../../../functions/adapters/datastorage/bearer-token.js';
import { DataStorageUnavailableError } from '../../../functions/core/errors.js';
import { type DataStorage, startDataStorage } from '../../../local/datastorage/server.js';
import { manyEvents } from '../../fixtures/audit-events.js';

const open: DataStorage[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ds) => ds.close()));
});
async function start(token?: string) {
  const ds = await startDataStorage({ token });
  open.push(ds);
  return ds;
}

const events = (count: number) => manyEvents(count, new Date(Date.now() - 3600_000), 'we-client');

async function failure(promise: Promise<unknown>): Promise<DataStorageUnavailableError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataStorageUnavailableError);
  return err as DataStorageUnavailableError;
}

describe('dataStorageAuditClient', () => {
  it('posts the events as a JSON array and returns the event ids of a 201', async () => {
    const ds = await start();
    const sent = events(3);
    const result = await dataStorageAuditClient({ url: ds.url, timeoutMs: 5000 }).send(sent);
    expect(result).toEqual({ kind: 'delivered', eventIds: ds.events.map((e) => e.event_id) });
    expect(JSON.parse(ds.requests[0]!.body)).toEqual(sent);
    expect(ds.requests[0]!.headers['content-type']).toBe('application/json');
    expect(ds.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('keeps a path prefix in DATASTORAGE_URL', async () => {
    const seen: string[] = [];
    const client = dataStorageAuditClient({
      url: 'http://datastorage.example/prefix',
      timeoutMs: 1000,
      fetch: async (input) => {
        seen.push(String(input));
        return new Response('{"event_ids":[]}', { status: 201 });
      },
    });
    await client.send(events(1));
    expect(seen).toEqual(['http://datastorage.example/prefix/api/v1/audit/events/batch']);
  });

  it('returns a 400 as a refusal carrying the problem details', async () => {
    const ds = await start();
    const result = await dataStorageAuditClient({ url: ds.url, timeoutMs: 5000 }).send([
      { ...events(1)[0]!, event_outcome: 'maybe' as 'success' },
    ]);
    expect(result).toEqual({
      kind: 'rejected',
      status: 400,
      problem: {
        type: 'https://kubernaut.ai/problems/validation-error',
        title: 'Validation Error',
        status: 400,
        detail: expect.stringContaining('event_outcome'),
      },
    });
  });

  it('throws DataStorageUnavailableError on 500, with the status and detail', async () => {
    const ds = await start();
    ds.faults.databaseError({ times: 1 });
    const err = await failure(dataStorageAuditClient({ url: ds.url, timeoutMs: 5000 }).send(events(1)));
    expect(err.status).toBe(500);
    expect(err.message).toBe('DataStorage answered 500: Failed to write audit events batch to database');
  });

  it('throws on 429 and passes Retry-After on', async () => {
    const ds = await start();
    ds.faults.tooManyRequests({ times: 1, retryAfterSeconds: 2 });
    const err = await failure(dataStorageAuditClient({ url: ds.url, timeoutMs: 5000 }).send(events(1)));
    expect(err).toMatchObject({ status: 429, retryAfterMs: 2000 });
  });

  it('throws when no answer comes within the timeout', async () => {
    const ds = await start();
    ds.faults.slow(500, { times: 1 });
    const err = await failure(dataStorageAuditClient({ url: ds.url, timeoutMs: 100 }).send(events(1)));
    expect(err.message).toBe('DataStorage no answer within 100 ms');
  });

  it('throws when the connection drops or nothing listens', async () => {
    const ds = await start();
    ds.faults.dropConnection({ times: 1 });
    await failure(dataStorageAuditClient({ url: ds.url, timeoutMs: 5000 }).send(events(1)));
    const url = ds.url;
    await ds.close();
    open.length = 0;
    const err = await failure(dataStorageAuditClient({ url, timeoutMs: 5000 }).send(events(1)));
    expect(err.message).toMatch(/^DataStorage request failed: /);
    expect(err.cause).toBeDefined();
  });

  it('sends the bearer token, fetching it once', async () => {
    const ds = await start('t0ken-123');
    let fetches = 0;
    const client = dataStorageAuditClient({
      url: ds.url,
      timeoutMs: 5000,
      token: async () => {
        fetches++;
        return 't0ken-123';
      },
    });
    await client.send(events(1));
    await client.send(events(1));
    expect(fetches).toBe(1);
    expect(ds.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t0ken-123', 'Bearer t0ken-123']);
  });

  it('treats 401 as unavailable, not as the events’ fault, and reads the token again next time', async () => {
    const ds = await start('rotated');
    const tokens = ['stale', 'rotated'];
    const client = dataStorageAuditClient({
      url: ds.url,
      timeoutMs: 5000,
      token: async () => tokens.shift()!,
    });
    const err = await failure(client.send(events(1)));
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('stale');
    expect((await client.send(events(1))).kind).toBe('delivered');
  });

  it('throws unavailable, without the secret, when the token cannot be read', async () => {
    const client = dataStorageAuditClient({
      url: 'http://127.0.0.1:1',
      timeoutMs: 1000,
      token: async () => {
        throw new Error('AccessDeniedException');
      },
    });
    const err = await failure(client.send(events(1)));
    expect(err.message).toBe('could not read the DataStorage token');
    expect((err.cause as Error).message).toBe('AccessDeniedException');
  });
});

describe('secretsManagerToken', () => {
  const client = (SecretString: string) =>
    ({ send: async () => ({ SecretString }) }) as unknown as SecretsManagerClient;

  it('reads a plain secret or a JSON one with a token field', async () => {
    expect(await secretsManagerToken('arn:secret', client(' abc \n'))()).toBe('abc');
    expect(await secretsManagerToken('arn:secret', client('{"token":"xyz"}'))()).toBe('xyz');
  });

  it('fails, naming the secret and not its content, when it holds no token', async () => {
    await expect(secretsManagerToken('arn:secret', client('{"user":"a"}'))()).rejects.toThrow(
      'secret arn:secret holds no DataStorage token',
    );
  });
});
