/**
 * WE-14: the operator's listings page through the listing indexes on DynamoDB Local, merging the
 * shards in order: --limit N is the first N, a continuation token resumes exactly where the page
 * ended, a forged token is a clear error, and no request is a Scan.
 */
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionTable } from '../../../functions/adapters/dynamodb/execution-table.js';
import {
  executionItem,
  type Item,
  lockItem,
  rejectionItem,
} from '../../../functions/adapters/dynamodb/items.js';
import {
  InvalidContinueToken,
  type ListPage,
  type PageRequest,
  tableListing,
} from '../../../functions/adapters/dynamodb/listing.js';
import type { Execution, Phase } from '../../../functions/core/execution.js';
import { executionKey } from '../../../functions/core/execution-id.js';
import type { Lock } from '../../../functions/core/lock.js';
import { fixedClock } from '../../fakes/clock.js';
import { createTestTable, type TestTable } from '../../setup/dynamodb.js';

const PHASES: Phase[] = ['Pending', 'Running', 'Completed', 'Failed'];
const NAMESPACES = ['payment', 'checkout', 'inventory'];
/** The clusters listed: the default one, and eu, where one lock is. */
const CLUSTERS = ['default', 'eu'];

function execution(i: number): Execution {
  const namespace = NAMESPACES[i % NAMESPACES.length]!;
  const phase = PHASES[Math.floor(i / 3) % PHASES.length]!;
  return {
    id: { cluster: 'default', namespace, name: `we-${String(i).padStart(4, '0')}` },
    specHash: 'h',
    target: `${namespace}/Deployment/app-${i % 7}`,
    status: { phase, conditions: {} },
    // Every fifth shares its creation time with the one before: the name orders them.
    createdAt: new Date(Date.UTC(2026, 0, 1) + (i - (i % 5 === 4 ? 1 : 0)) * 1000).toISOString(),
    version: 1,
  };
}

function lock(target: string, holderNamespace: string, cluster = 'default'): Lock {
  return {
    key: `${cluster}#${target}`,
    cluster,
    target,
    holder: { cluster, namespace: holderNamespace, name: `we-${target.replaceAll('/', '-')}` },
    token: 1,
    version: 1,
    pipelineRunName: 'wfe-x',
    state: 'running',
    acquiredAt: '2026-01-01T00:00:00.000Z',
  };
}

const EXECUTIONS = Array.from({ length: 1000 }, (_, i) => execution(i));
const inOrder = (list: Execution[]) =>
  [...list].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || executionKey(a.id).localeCompare(executionKey(b.id)),
  );
const names = (list: readonly Execution[]) => list.map((e) => executionKey(e.id));

let t: TestTable;
let listing: ReturnType<typeof tableListing>;
const commands: string[] = [];

async function put(items: Item[]) {
  for (let i = 0; i < items.length; i += 25)
    await t.doc.send(
      new BatchWriteCommand({
        RequestItems: { [t.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
}

async function allPages<T>(
  read: (request: PageRequest) => Promise<ListPage<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await read({ limit, continue: token });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    token = page.continue;
    pages++;
  } while (token);
  return { items, pages };
}

beforeAll(async () => {
  t = await createTestTable('wfe-listing');
  const now = new Date('2026-01-02T00:00:00Z');
  await put([
    ...EXECUTIONS.map((e) => executionItem(e, 1, now)),
    lockItem(lock('payment/Deployment/b', 'payment')),
    lockItem(lock('payment/Deployment/a', 'payment')),
    lockItem(lock('checkout/Deployment/c', 'checkout')),
    lockItem(lock('payment/Deployment/a', 'payment', 'eu')),
    rejectionItem({ messageId: 'm-2', reason: 'not JSON', bytes: 10, at: '2026-01-01T00:00:02.000Z' }),
    rejectionItem({ messageId: 'm-1', reason: 'too deep', bytes: 20, at: '2026-01-01T00:00:01.000Z' }),
  ]);
  t.doc.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  listing = tableListing(t.tableName, t.doc);
}, 120_000);
afterAll(() => t?.client.destroy());

describe('listing through the sharded indexes (WE-14)', () => {
  it('WE-14: lists 1,000 executions in pages of 37 with none missing or repeated, in creation order', async () => {
    const { items, pages } = await allPages((r) => listing.executions({ clusters: CLUSTERS }, r), 37);
    expect(pages).toBe(28);
    expect(names(items)).toEqual(names(inOrder(EXECUTIONS)));
  }, 180_000);

  it('WE-14: --limit N is the first N in order, across every shard', async () => {
    const page = await listing.executions({ clusters: CLUSTERS }, { limit: 5 });
    expect(names(page.items)).toEqual(names(inOrder(EXECUTIONS).slice(0, 5)));
    expect(page.continue).toMatch(/^[A-Za-z0-9_-]+$/);
    const next = await listing.executions({ clusters: CLUSTERS }, { limit: 5, continue: page.continue });
    expect(names(next.items)).toEqual(names(inOrder(EXECUTIONS).slice(5, 10)));
  });

  it('WE-14: without a limit, one call returns everything and no token', async () => {
    const page = await listing.executions({ clusters: CLUSTERS, namespace: 'checkout' });
    expect(names(page.items)).toEqual(
      names(inOrder(EXECUTIONS.filter((e) => e.id.namespace === 'checkout'))),
    );
    expect(page.continue).toBeUndefined();
  });

  it('WE-14: filters by namespace, phase, both, and target, each paged in order', async () => {
    const cases: [Parameters<typeof listing.executions>[0], (e: Execution) => boolean][] = [
      [{ clusters: CLUSTERS, namespace: 'payment' }, (e) => e.id.namespace === 'payment'],
      [{ clusters: CLUSTERS, phase: 'Running' }, (e) => e.status.phase === 'Running'],
      [
        { clusters: CLUSTERS, namespace: 'inventory', phase: 'Failed' },
        (e) => e.id.namespace === 'inventory' && e.status.phase === 'Failed',
      ],
      [
        { clusters: CLUSTERS, target: 'checkout/Deployment/app-3' },
        (e) => e.target === 'checkout/Deployment/app-3',
      ],
      [
        { clusters: CLUSTERS, target: 'payment/Deployment/app-0', phase: 'Pending', namespace: 'payment' },
        (e) => e.target === 'payment/Deployment/app-0' && e.status.phase === 'Pending',
      ],
    ];
    for (const [query, matches] of cases) {
      const expected = names(inOrder(EXECUTIONS.filter(matches)));
      expect(expected.length).toBeGreaterThan(3);
      // About six pages each, so every listing crosses page ends in several shards.
      const limit = Math.max(4, Math.ceil(expected.length / 6));
      const { items } = await allPages((r) => listing.executions(query, r), limit);
      expect(names(items), JSON.stringify(query)).toEqual(expected);
    }
  }, 180_000);

  it('WE-14: an item the index still files under its old phase is not listed there', async () => {
    const moved: Execution = { ...execution(5000), status: { phase: 'Completed', conditions: {} } };
    const item = executionItem(moved, 2, new Date());
    const running = executionItem({ ...moved, status: { phase: 'Running', conditions: {} } }, 1, new Date());
    // The index entry as a lagging index would still hold it; the item itself is Completed.
    await t.doc.send(
      new PutCommand({ TableName: t.tableName, Item: { ...item, listPhase: running.listPhase } }),
    );
    const { items } = await listing.executions({ clusters: CLUSTERS, phase: 'Running' });
    expect(names(items)).not.toContain(executionKey(moved.id));
    const all = await listing.executions({ clusters: CLUSTERS, namespace: moved.id.namespace });
    expect(names(all.items)).toContain(executionKey(moved.id));
  });

  it('WE-14: a forged or corrupt token is a clear error, never a Scan', async () => {
    const { continue: token } = await listing.executions({ clusters: CLUSTERS }, { limit: 3 });
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const decoded = JSON.parse(Buffer.from(token!, 'base64url').toString());
    for (const bad of [
      'not a token!',
      'AAAA',
      forged([1, 2]),
      forged({ ...decoded, v: 2 }),
      forged({ ...decoded, p: decoded.p.slice(1) }),
      forged({ ...decoded, p: decoded.p.map(() => [1, 2, 3]) }),
      forged({ ...decoded, p: decoded.p.map(() => ['x'.repeat(2000), 'EXEC#a/b', 'STATE']) }),
      token!.slice(0, -4),
    ])
      await expect(
        listing.executions({ clusters: CLUSTERS }, { limit: 3, continue: bad }),
        bad,
      ).rejects.toThrow(InvalidContinueToken);
    await expect(
      listing.executions({ clusters: CLUSTERS, namespace: 'payment' }, { limit: 3, continue: token }),
    ).rejects.toThrow(/belongs to another listing/);
    await expect(listing.locks({ clusters: CLUSTERS }, { continue: token })).rejects.toThrow(
      InvalidContinueToken,
    );
    expect(commands).not.toContain('ScanCommand');
  });

  it('WE-14: a well-formed token with made-up positions only moves where the listing resumes', async () => {
    const { continue: token } = await listing.executions({ clusters: CLUSTERS }, { limit: 3 });
    const decoded = JSON.parse(Buffer.from(token!, 'base64url').toString());
    const resume = Buffer.from(
      JSON.stringify({
        ...decoded,
        p: decoded.p.map(() => ['2026-01-01T00:16:00.000Z', 'EXEC#x/y', 'STATE']),
      }),
    ).toString('base64url');
    const page = await listing.executions({ clusters: CLUSTERS }, { limit: 2, continue: resume });
    expect(names(page.items)).toEqual(
      names(
        inOrder(EXECUTIONS)
          .filter((e) => e.createdAt >= '2026-01-01T00:16:00.000Z')
          .slice(0, 2),
      ),
    );
  });

  it('WE-14: locks by target then cluster, by holder namespace and by target, paged', async () => {
    const keys = (page: ListPage<Lock>) => page.items.map((l) => l.key);
    expect(keys(await listing.locks({ clusters: CLUSTERS }))).toEqual([
      'default#checkout/Deployment/c',
      'default#payment/Deployment/a',
      'eu#payment/Deployment/a',
      'default#payment/Deployment/b',
    ]);
    expect(keys(await listing.locks({ clusters: CLUSTERS, namespace: 'checkout' }))).toEqual([
      'default#checkout/Deployment/c',
    ]);
    expect(keys(await listing.locks({ clusters: CLUSTERS, target: 'payment/Deployment/a' }))).toEqual([
      'default#payment/Deployment/a',
      'eu#payment/Deployment/a',
    ]);
    const first = await listing.locks({ clusters: CLUSTERS }, { limit: 3 });
    expect(keys(first)).toHaveLength(3);
    const rest = await listing.locks({ clusters: CLUSTERS }, { limit: 3, continue: first.continue });
    expect(keys(rest)).toEqual(['default#payment/Deployment/b']);
    expect(rest.continue).toBeUndefined();
  });

  it('WE-14: a lock deleted after it was indexed is not listed', async () => {
    const store = executionTable(t.tableName, fixedClock(), t.doc);
    const gone = lock('gone/Deployment/x', 'gone');
    await store.write({ lock: { op: 'put', lock: gone, expectVersion: 'absent' } });
    expect((await listing.locks({ clusters: CLUSTERS, namespace: 'gone' })).items).toHaveLength(1);
    await store.write({ lock: { op: 'delete', key: gone.key, expectVersion: gone.version } });
    expect((await listing.locks({ clusters: CLUSTERS, namespace: 'gone' })).items).toEqual([]);
  });

  it('WE-14: rejections oldest first', async () => {
    const page = await listing.rejections({ limit: 1 });
    expect(page.items.map((r) => r.messageId)).toEqual(['m-1']);
    const next = await listing.rejections({ limit: 1, continue: page.continue });
    expect(next.items.map((r) => r.messageId)).toEqual(['m-2']);
  });

  it('an execution whose target is longer than an index key can hold is written and found by target', async () => {
    const store = executionTable(t.tableName, fixedClock(), t.doc);
    const target = `huge/Deployment/${'x'.repeat(5000)}`;
    const long: Execution = { ...execution(7000), target, version: 0 };
    expect(await store.write({ executions: [{ next: long, expectVersion: 0 }] })).toEqual({ ok: true });
    expect(names((await listing.executions({ clusters: CLUSTERS, target })).items)).toEqual([
      executionKey(long.id),
    ]);
  });
});
