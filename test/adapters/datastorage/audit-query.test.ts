import { afterEach, describe, expect, it } from 'vitest';
import { dataStorageAuditClient } from '../../../functions/adapters/datastorage/audit-client.js';
import { dataStorageAuditQuery } from '../../../functions/adapters/datastorage/audit-query.js';
import { type DataStorage, startDataStorage } from '../../../local/datastorage/server.js';
import { manyEvents } from '../../fixtures/audit-events.js';

const open: DataStorage[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ds) => ds.close()));
});

const answering =
  (status: number, body: string): typeof fetch =>
  async () =>
    new Response(body, { status });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (e: unknown) => (e as Error).message,
  );

describe('dataStorageAuditQuery', () => {
  it('reads every page of the events under a correlation id, newest first, with the bearer token', async () => {
    const ds = await startDataStorage({ token: 'sekret' });
    open.push(ds);
    const sent = manyEvents(2500, new Date(Date.now() - 3600_000), 'we-paged').map((e) => ({
      ...e,
      correlation_id: 'rr-paged',
    }));
    const client = dataStorageAuditClient({ url: ds.url, timeoutMs: 10_000, token: async () => 'sekret' });
    for (let i = 0; i < sent.length; i += 500) await client.send(sent.slice(i, i + 500));
    const pages: string[] = [];
    const counting: typeof fetch = (url, init) => {
      pages.push(String(url));
      return fetch(url, init);
    };
    const query = dataStorageAuditQuery({
      url: ds.url,
      timeoutMs: 10_000,
      token: async () => 'sekret',
      fetch: counting,
    });
    const found = await query.events({ correlation_id: 'rr-paged', event_category: 'workflow' });
    const newestFirst = [...ds.events].sort(
      (a, b) =>
        Date.parse(b.event_timestamp) - Date.parse(a.event_timestamp) || (a.event_id < b.event_id ? 1 : -1),
    );
    expect(found.map((e) => e.event_id)).toEqual(newestFirst.map((e) => e.event_id));
    expect(pages).toHaveLength(3);
    expect(pages[2]).toContain('offset=2000');
  }, 60_000);

  it("says what DataStorage answered when it is not a page: the status and the problem's detail", async () => {
    const query = (f: typeof fetch) =>
      dataStorageAuditQuery({ url: 'http://ds.test', timeoutMs: 1000, fetch: f });
    expect(
      await failure(
        query(answering(500, '{"status":500,"detail":"Failed to query audit events"}')).events({
          correlation_id: 'x',
        }),
      ),
    ).toBe('DataStorage answered 500 to the audit query: Failed to query audit events');
    expect(await failure(query(answering(401, 'no')).events({ correlation_id: 'x' }))).toBe(
      'DataStorage answered 401 to the audit query',
    );
    expect(await failure(query(answering(200, '{"items":[]}')).events({ correlation_id: 'x' }))).toBe(
      'DataStorage answered the audit query with something other than a page of events',
    );
  });

  it('gives up on a DataStorage that does not answer in time, and refuses a token no header can carry', async () => {
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    expect(
      await failure(
        dataStorageAuditQuery({ url: 'http://ds.test', timeoutMs: 50, fetch: hanging }).events({
          correlation_id: 'x',
        }),
      ),
    ).toBe('DataStorage at http://ds.test could not be queried: no answer within 50 ms');
    const badToken = dataStorageAuditQuery({
      url: 'http://ds.test',
      timeoutMs: 50,
      token: async () => 'two\nlines',
      fetch: answering(200, '{"data":[],"pagination":{"has_more":false}}'),
    });
    expect(await failure(badToken.events({ correlation_id: 'x' }))).toBe(
      'the DataStorage token cannot be sent: it must be 1 to 4096 visible ASCII characters',
    );
  });
});
