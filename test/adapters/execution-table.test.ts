import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { executionTable } from '../../functions/adapters/dynamodb/execution-table.js';
import { dueShardKey } from '../../functions/adapters/dynamodb/items.js';
import { SHARDS, shardOf } from '../../functions/adapters/dynamodb/shard.js';
import { TABLE } from '../../functions/adapters/dynamodb/table.js';
import { AuditEventType, auditEvent } from '../../functions/core/audit-event.js';
import type { Execution } from '../../functions/core/execution.js';
import type { Lock } from '../../functions/core/lock.js';
import { fixedClock } from '../fakes/clock.js';
import { createTestTable as createTable, type TestTable } from '../setup/dynamodb.js';

const execution = (name: string, phase: Execution['status']['phase'] = 'Pending'): Execution => ({
  id: { cluster: 'default', namespace: 'default', name },
  specHash: 'h',
  target: 'default/Deployment/app',
  status: {
    phase,
    conditions: {},
    ...(phase === 'Running' ? { startTime: '2026-01-01T00:00:00.000Z' } : {}),
  },
  createdAt: '2026-01-01T00:00:00.000Z',
  version: 0,
});

const lock = (over: Partial<Lock> = {}): Lock => ({
  key: 'default#default/Deployment/app',
  cluster: 'default',
  target: 'default/Deployment/app',
  holder: { cluster: 'default', namespace: 'default', name: 'a' },
  token: 1,
  version: 1,
  pipelineRunName: 'wfe-x',
  state: 'acquired',
  acquiredAt: '2026-01-01T00:00:00.000Z',
  leaseUntil: '2026-01-01T00:15:00.000Z',
  ...over,
});

// Sockets left open when a worker thread ends can crash Node 20 (Stryker runs test files in threads).
const tables: TestTable[] = [];
afterAll(() => {
  for (const t of tables) t.client.destroy();
});
async function createTestTable(): Promise<TestTable> {
  const t = await createTable();
  tables.push(t);
  return t;
}

describe('executionTable', () => {
  it('WE-14: counts the Running executions and the held locks over every shard, whatever their due time', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    expect(await store.census('default')).toEqual({ running: 0, locksHeld: 0 });
    for (let i = 0; i < 40; i++)
      await store.write({ executions: [{ next: execution(`r${i}`, 'Running'), expectVersion: 0 }] });
    await store.write({ executions: [{ next: execution('done', 'Completed'), expectVersion: 0 }] });
    await store.write({ executions: [{ next: execution('waiting'), expectVersion: 0 }] });
    await store.write({ lock: { op: 'put', lock: lock(), expectVersion: 'absent' } });
    await store.write({
      lock: {
        op: 'put',
        lock: lock({
          key: 'default#other',
          state: 'cooling',
          leaseUntil: undefined,
          releaseAt: '2027-01-01T00:00:00.000Z',
        }),
        expectVersion: 'absent',
      },
    });
    expect(await store.census('default')).toEqual({ running: 40, locksHeld: 2 });
  });

  it('writes an execution once and refuses a stale version', async () => {
    const t = await createTestTable();
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const store = executionTable(t.tableName, clock, t.doc);
    expect(await store.write({ executions: [{ next: execution('a'), expectVersion: 0 }] })).toEqual({
      ok: true,
    });
    expect(await store.write({ executions: [{ next: execution('a'), expectVersion: 0 }] })).toEqual({
      ok: false,
      conflict: 'execution',
    });
    const stored = await store.read({ cluster: 'default', namespace: 'default', name: 'a' });
    expect(stored?.version).toBe(1);
    expect(
      await store.write({ executions: [{ next: execution('a', 'Running'), expectVersion: 1 }] }),
    ).toEqual({ ok: true });
    expect((await store.read({ cluster: 'default', namespace: 'default', name: 'a' }))?.status.phase).toBe(
      'Running',
    );
  });

  it('takes a lock in the same transaction as the execution, and reports which item conflicted', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    const first = await store.write({
      executions: [{ next: execution('a'), expectVersion: 0 }],
      lock: { op: 'put', lock: lock(), expectVersion: 'absent' },
    });
    expect(first).toEqual({ ok: true });
    const second = await store.write({
      executions: [{ next: execution('b'), expectVersion: 0 }],
      lock: {
        op: 'put',
        lock: lock({ holder: { cluster: 'default', namespace: 'default', name: 'b' } }),
        expectVersion: 'absent',
      },
    });
    expect(second).toEqual({ ok: false, conflict: 'lock' });
    expect(await store.read({ cluster: 'default', namespace: 'default', name: 'b' })).toBeUndefined();
    expect((await store.readLock(lock().key))?.holder.name).toBe('a');
  });

  it('lists running executions and due locks from the index only', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    await store.write({ executions: [{ next: execution('r', 'Running'), expectVersion: 0 }] });
    await store.write({ executions: [{ next: execution('done', 'Completed'), expectVersion: 0 }] });
    await store.write({ lock: { op: 'put', lock: lock(), expectVersion: 'absent' } });
    const running = await store.running('default', shardOf('EXEC#default/default/r'), 10);
    expect(running.items.map((e) => e.id.name)).toEqual(['r']);
    const lockShard = shardOf(`LOCK#${lock().key}`);
    expect(
      (await store.dueLocks('default', lockShard, new Date('2026-01-01T00:14:59Z'), 10)).items,
    ).toHaveLength(0);
    expect((await store.dueLocks('default', lockShard, new Date('2026-01-01T00:15:00Z'), 10)).items).toEqual([
      lock().key,
    ]);
    const elsewhere = (shardOf('EXEC#default/default/r') + 1) % SHARDS;
    expect((await store.running('default', elsewhere, 10)).items).toEqual([]);
  });

  it('refuses an update of an execution at a stale version, alone or in a transaction', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    await store.write({ executions: [{ next: execution('a'), expectVersion: 0 }] });
    await store.write({ executions: [{ next: execution('a', 'Running'), expectVersion: 1 }] });

    expect(await store.write({ executions: [{ next: execution('a', 'Failed'), expectVersion: 1 }] })).toEqual(
      {
        ok: false,
        conflict: 'execution',
      },
    );
    expect(
      await store.write({
        executions: [{ next: execution('a', 'Failed'), expectVersion: 1 }],
        lock: { op: 'put', lock: lock(), expectVersion: 'absent' },
      }),
    ).toEqual({ ok: false, conflict: 'execution' });
    const stored = await store.read({ cluster: 'default', namespace: 'default', name: 'a' });
    expect(stored).toMatchObject({ version: 2, status: { phase: 'Running' } });
    expect(await store.readLock(lock().key)).toBeUndefined();
  });

  it('refuses a lock delete at a stale version, alone or in a transaction', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    await store.write({ executions: [{ next: execution('a'), expectVersion: 0 }] });
    await store.write({ lock: { op: 'put', lock: lock(), expectVersion: 'absent' } });
    await store.write({
      lock: { op: 'put', lock: lock({ version: 2, state: 'running' }), expectVersion: 1 },
    });

    expect(await store.write({ lock: { op: 'delete', key: lock().key, expectVersion: 1 } })).toEqual({
      ok: false,
      conflict: 'lock',
    });
    expect(
      await store.write({
        executions: [{ next: execution('a', 'Failed'), expectVersion: 1 }],
        lock: { op: 'delete', key: lock().key, expectVersion: 1 },
      }),
    ).toEqual({ ok: false, conflict: 'lock' });
    expect(await store.readLock(lock().key)).toMatchObject({ version: 2, state: 'running' });
    expect((await store.read({ cluster: 'default', namespace: 'default', name: 'a' }))?.status.phase).toBe(
      'Pending',
    );

    expect(await store.write({ lock: { op: 'delete', key: lock().key, expectVersion: 2 } })).toEqual({
      ok: true,
    });
    expect(await store.readLock(lock().key)).toBeUndefined();
  });

  it('writes the audit record in the same transaction: an audit put that fails leaves the execution unmoved', async () => {
    const t = await createTestTable();
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const store = executionTable(t.tableName, clock, t.doc);
    await store.write({ executions: [{ next: execution('a'), expectVersion: 0 }] });
    const started = auditEvent(AuditEventType.Started, execution('a', 'Running'), clock.now());
    // The same record already in the outbox: its put is refused (each audit record is written once).
    expect(await store.write({ audit: [started] })).toEqual({ ok: true });

    const result = await store.write({
      executions: [{ next: execution('a', 'Running'), expectVersion: 1 }],
      audit: [started],
    });
    expect(result.ok).toBe(false);
    expect(await store.read({ cluster: 'default', namespace: 'default', name: 'a' })).toMatchObject({
      version: 1,
      status: { phase: 'Pending' },
    });
  });

  it('keeps in the due index only what the sweep decides on, not the manifest', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    const running: Execution = {
      ...execution('r', 'Running'),
      manifest: { big: 'x'.repeat(5000) } as unknown as Execution['manifest'],
      status: {
        ...execution('r', 'Running').status,
        pipelineRunRef: { name: 'wfe-r' },
        pipelineRunStatus: { status: 'Unknown', reason: 'Running', totalTasks: 2, completedTasks: 1 },
      },
    };
    await store.write({ executions: [{ next: running, expectVersion: 0 }] });
    const out = await t.doc.send(
      new QueryCommand({
        TableName: t.tableName,
        IndexName: TABLE.dueIndex.name,
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': TABLE.dueIndex.partitionKey },
        ExpressionAttributeValues: {
          ':s': dueShardKey('running', 'default', shardOf('EXEC#default/default/r')),
        },
      }),
    );
    expect(Object.keys(out.Items?.[0] ?? {}).sort()).toEqual(
      ['pk', 'sk', 'dueShard', 'dueAt', 'namespace', 'name', 'runName', 'runSummary'].sort(),
    );
    expect((await store.running('default', shardOf('EXEC#default/default/r'), 10)).items).toEqual([
      {
        id: { cluster: 'default', namespace: 'default', name: 'r' },
        runName: 'wfe-r',
        summary: { status: 'Unknown', reason: 'Running', totalTasks: 2, completedTasks: 1 },
      },
    ]);
  });

  it('keeps a shard’s sweep point, and clears it', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    expect(await store.sweepPoint('default', 3)).toBeUndefined();
    await store.saveSweepPoint('default', 3, 'cursor-a');
    expect(await store.sweepPoint('default', 3)).toBe('cursor-a');
    expect(await store.sweepPoint('default', 4)).toBeUndefined();
    await store.saveSweepPoint('default', 3, undefined);
    expect(await store.sweepPoint('default', 3)).toBeUndefined();
  });

  it('pages through each shard’s running executions and due locks with a cursor, each once', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    // Twenty of each over sixteen shards: some shard holds two, so a page of one needs its cursor.
    const names = Array.from({ length: 20 }, (_, i) => `r${i}`);
    for (const name of names) {
      await store.write({ executions: [{ next: execution(name, 'Running'), expectVersion: 0 }] });
      await store.write({ lock: { op: 'put', lock: lock({ key: `k#${name}` }), expectVersion: 'absent' } });
    }
    const everyPage = async <T>(
      page: (shard: number, cursor?: string) => Promise<{ items: T[]; cursor?: string }>,
    ) => {
      const items: T[] = [];
      for (let shard = 0; shard < SHARDS; shard++) {
        let cursor: string | undefined;
        do {
          const next = await page(shard, cursor);
          items.push(...next.items);
          cursor = next.cursor;
        } while (cursor);
      }
      return items;
    };
    const running = await everyPage((shard, cursor) => store.running('default', shard, 1, cursor));
    expect(running.map((e) => e.id.name).sort()).toEqual([...names].sort());
    const due = new Date('2026-01-01T00:15:00Z');
    const locks = await everyPage((shard, cursor) => store.dueLocks('default', shard, due, 1, cursor));
    expect(locks.sort()).toEqual(names.map((n) => `k#${n}`).sort());
  });

  it('keeps a rejection’s reason in the table for its dead letter', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    const rejection = { messageId: 'm-1', reason: 'not JSON', bytes: 12, at: '2026-01-01T00:00:00.000Z' };
    await store.recordRejection(rejection);
    const out = await t.doc.send(
      new GetCommand({ TableName: t.tableName, Key: { pk: 'REJECTED#m-1', sk: 'REJECTED' } }),
    );
    expect(out.Item).toMatchObject({
      ...rejection,
      expiresAt: Date.parse(rejection.at) / 1000 + 14 * 24 * 3600,
    });
  });

  it('counts what it asks of DynamoDB at the client: requests, items, never a scan', async () => {
    const t = await createTestTable();
    const store = executionTable(t.tableName, fixedClock('2026-01-01T00:00:00Z'), t.doc);
    await store.read({ cluster: 'default', namespace: 'default', name: 'absent' });
    expect(store.stats).toEqual({
      readRequests: 1,
      itemsRead: 0,
      writeRequests: 0,
      itemsWritten: 0,
      scans: 0,
    });
    await store.write({
      executions: [{ next: execution('a', 'Running'), expectVersion: 0 }],
      lock: { op: 'put', lock: lock(), expectVersion: 'absent' },
    });
    await store.readLock(lock().key);
    await store.recordRejection({ messageId: 'm', reason: 'r', bytes: 1, at: '2026-01-01T00:00:00.000Z' });
    expect(store.stats).toEqual({
      readRequests: 2,
      itemsRead: 1,
      writeRequests: 2,
      itemsWritten: 3,
      scans: 0,
    });
    await store.running('default', shardOf('EXEC#default/default/a'), 10);
    expect(store.stats).toMatchObject({ readRequests: 3, itemsRead: 2 });
  });
});
