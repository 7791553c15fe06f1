/**
 * WE-12/WE-14: kubectl's flags on the listing commands and `wfe get -w`, against a state table on
 * DynamoDB Local that a `.wfe/dev.json` names (the listings need nothing else of a local system):
 * -n/-A, --target, --phase, --limit/--continue, -o name, -w; stored text escaped everywhere.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/dispatch.js';
import { executionTable } from '../../../functions/adapters/dynamodb/execution-table.js';
import type { Execution, ExecutionStatus } from '../../../functions/core/execution.js';
import type { Lock } from '../../../functions/core/lock.js';
import { LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import { fixedClock } from '../../fakes/clock.js';
import { eventually } from '../../local/aws/eventually.js';
import { createTestTable, type TestTable } from '../../setup/dynamodb.js';
import { wfe } from '../harness.js';

const HOME = 'kubernaut-workflows';
const ESC = '\u001b[31m';

let table: TestTable;
let dir: string;
let store: ReturnType<typeof executionTable>;
const run = (...args: string[]) => wfe(args, { cwd: dir });

function execution(namespace: string, name: string, minute: number, status: Partial<ExecutionStatus> = {}) {
  return {
    id: { cluster: 'default', namespace, name },
    specHash: 'h',
    target: `${namespace}/Deployment/${name}`,
    status: { phase: 'Completed', conditions: {}, ...status },
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    version: 0,
  } as Execution;
}

function lock(target: string, holderNamespace: string): Lock {
  return {
    key: `default#${target}`,
    cluster: 'default',
    target,
    holder: { cluster: 'default', namespace: holderNamespace, name: 'holder' },
    token: 1,
    version: 1,
    pipelineRunName: 'wfe-x',
    state: 'running',
    acquiredAt: '2026-01-01T00:00:00.000Z',
  };
}

/** Runs a command that follows changes: its output so far, and a way to stop it (Ctrl-C). */
function follow(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const stop = new AbortController();
  const code = runCli(args, {
    out: { write: (text: string) => out.push(text) },
    err: { write: (text: string) => err.push(text) },
    env: {},
    cwd: dir,
    readStdin: async () => '',
    stopSignal: () => stop.signal,
  });
  return { out: () => out.join(''), err: () => err.join(''), stop: () => stop.abort(), code };
}

const write = async (next: Execution, expectVersion: number) =>
  expect(await store.write({ executions: [{ next, expectVersion }] })).toEqual({ ok: true });

beforeAll(async () => {
  table = await createTestTable('wfe-cli-listing');
  dir = await mkdtemp(join(tmpdir(), 'wfe-listing-'));
  await mkdir(join(dir, '.wfe'));
  const nowhere = 'http://127.0.0.1:9';
  await writeFile(
    join(dir, '.wfe', 'dev.json'),
    JSON.stringify({
      version: 1,
      pid: process.pid,
      region: LOCAL_REGION,
      dynamodb: { endpoint: table.endpoint, tableName: table.tableName },
      sqs: { endpoint: nowhere, queueUrl: nowhere, dlqUrl: nowhere, auditDlqUrl: nowhere },
      cluster: { kubeconfig: join(dir, 'none'), namespace: HOME, clusterName: 'default' },
      dataStorage: { url: nowhere },
      events: { sinkUrl: nowhere },
    }),
  );
  store = executionTable(table.tableName, fixedClock('2026-01-01T01:00:00Z'), table.doc);
  for (const [i, e] of [
    execution(HOME, 'we-home-1', 1),
    execution('payment', 'we-pay-1', 2, { phase: 'Running' }),
    execution(HOME, 'we-home-2', 3, { phase: 'Running' }),
    execution('payment', 'we-pay-2', 4, { phase: 'Failed' }),
    execution('payment', 'we-pay-3', 5),
  ].entries())
    await write({ ...e, target: i === 4 ? 'payment/Deployment/we-pay-1' : e.target }, 0);
  await write({ ...execution('hostile', 'we-esc', 6), target: `hostile/Deployment/x${ESC}` }, 0);
  for (const l of [lock('payment/Deployment/a', 'payment'), lock('checkout/Deployment/b', 'checkout')])
    await store.write({ lock: { op: 'put', lock: l, expectVersion: 'absent' } });
  await store.write({
    lock: { op: 'put', lock: lock(`hostile/Deployment/x${ESC}`, 'hostile'), expectVersion: 'absent' },
  });
  for (const [i, reason] of ['not JSON', `nested ${ESC}deep`].entries())
    await store.recordRejection({
      messageId: `m-${i}`,
      reason,
      bytes: 10,
      at: `2026-01-01T00:00:0${i}.000Z`,
    });
}, 120_000);
afterAll(async () => {
  table?.client.destroy();
  await rm(dir, { recursive: true, force: true });
});

const names = (out: string) =>
  out
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => {
      // Every row here is of the default cluster; the rest of the row is what the test reads.
      const [cluster, ...columns] = line.split(/\s+/);
      expect(cluster, line).toBe('default');
      return columns.slice(0, 2).join('/');
    });

describe('wfe list flags (WE-12, WE-14)', () => {
  it("WE-12: lists the deployment's namespace by default, -n another, -A all, oldest first", async () => {
    expect(names((await run('list')).out)).toEqual([`${HOME}/we-home-1`, `${HOME}/we-home-2`]);
    expect(names((await run('list', '-n', 'payment')).out)).toEqual([
      'payment/we-pay-1',
      'payment/we-pay-2',
      'payment/we-pay-3',
    ]);
    expect(names((await run('list', '--namespace=payment')).out)).toHaveLength(3);
    expect(names((await run('list', '-A')).out)).toEqual([
      `${HOME}/we-home-1`,
      'payment/we-pay-1',
      `${HOME}/we-home-2`,
      'payment/we-pay-2',
      'payment/we-pay-3',
      'hostile/we-esc',
    ]);
    expect(await run('list', '-n', 'nothing-here')).toEqual({
      code: 0,
      out: '',
      err: 'No executions found in namespace nothing-here.\n',
    });
    expect(await run('list', '-n', 'payment', '-A')).toMatchObject({
      code: 2,
      err: 'wfe list: -n and -A ask for different namespaces: give one (see wfe list --help)\n',
    });
  });

  it('WE-12: --phase and --target narrow the namespace asked for', async () => {
    expect(names((await run('list', '-A', '--phase', 'Running')).out)).toEqual([
      'payment/we-pay-1',
      `${HOME}/we-home-2`,
    ]);
    expect(names((await run('list', '--phase', 'Running')).out)).toEqual([`${HOME}/we-home-2`]);
    expect(
      names((await run('list', '-n', 'payment', '--target', 'payment/Deployment/we-pay-1')).out),
    ).toEqual(['payment/we-pay-1', 'payment/we-pay-3']);
    expect(
      names((await run('list', '-A', '--target', 'payment/Deployment/we-pay-1', '--phase', 'Completed')).out),
    ).toEqual(['payment/we-pay-3']);
  });

  it('WE-14: --limit pages in order; each page names the command for the next on stderr', async () => {
    const seen: string[] = [];
    let args = ['list', '-A', '--limit', '2'];
    for (let pages = 1; ; pages++) {
      const page = await wfe(args, { cwd: dir });
      expect(page.code).toBe(0);
      const rows = names(page.out);
      expect(rows.length).toBeLessThanOrEqual(2);
      seen.push(...rows);
      const more = /^more: wfe (.+) --continue ([A-Za-z0-9_-]+)\n$/.exec(page.err);
      if (!more) {
        expect(page.err).toBe('');
        expect(pages).toBe(3);
        break;
      }
      expect(more[1]).toBe('list -A --limit 2');
      args = ['list', '-A', '--limit', '2', '--continue', more[2]!];
    }
    expect(seen).toEqual(names((await run('list', '-A')).out));
  });

  it('WE-14: json and yaml carry the token in metadata.continue, as a Kubernetes List does', async () => {
    const first = JSON.parse((await run('list', '-A', '--limit', '4', '-o', 'json')).out);
    expect(first).toMatchObject({
      apiVersion: 'v1',
      kind: 'List',
      metadata: { continue: expect.any(String) },
    });
    expect(first.items).toHaveLength(4);
    const rest = JSON.parse(
      (await run('list', '-A', '--limit', '4', '-o', 'json', '--continue', first.metadata.continue)).out,
    );
    expect(rest.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'we-pay-3',
      'we-esc',
    ]);
    expect(rest.metadata).toBeUndefined();
    expect((await run('list', '-A', '--limit', '1', '-o', 'yaml')).out).toMatch(
      /^metadata:\n {2}continue: \S+$/m,
    );
  });

  it('WE-14: a corrupt or foreign token, a bad --limit, or -w with paging is a usage error', async () => {
    const { metadata } = JSON.parse((await run('list', '-A', '--limit', '1', '-o', 'json')).out);
    expect(await run('list', '-A', '--continue', 'garbage!')).toEqual({
      code: 2,
      out: '',
      err: 'wfe list: the --continue token is not one this listing gave (corrupt or cut short); list again without --continue\n',
    });
    expect(await run('list', '-n', 'payment', '--continue', metadata.continue)).toMatchObject({
      code: 2,
      err: 'wfe list: the --continue token belongs to another listing: use it with the same command and filters that printed it\n',
    });
    for (const limit of ['0', '-1', 'x', '1.5'])
      expect((await run('list', '--limit', limit)).code, limit).toBe(2);
    expect(await run('list', '-w', '--limit', '2')).toMatchObject({
      code: 2,
      err: 'wfe list: -w follows the whole listing: it takes no --limit or --continue\n',
    });
  });

  it('WE-12: -o name prints kind/identity, one a line, escaped', async () => {
    expect((await run('list', '-n', 'payment', '-o', 'name')).out).toBe(
      'execution/default/payment/we-pay-1\nexecution/default/payment/we-pay-2\nexecution/default/payment/we-pay-3\n',
    );
    expect((await run('locks', '-o', 'name')).out).toBe(
      'lock/default/checkout/Deployment/b\nlock/default/hostile/Deployment/x\\u001b[31m\nlock/default/payment/Deployment/a\n',
    );
    expect((await run('rejections', '-o', 'name')).out).toBe('rejection/m-0\nrejection/m-1\n');
    expect((await run('get', 'payment/we-pay-2', '-o', 'name')).out).toBe(
      'execution/default/payment/we-pay-2\n',
    );
  });

  it('WE-12: stored control characters print escaped in every format', async () => {
    for (const args of [
      ['list', '-A'],
      ['list', '-n', 'hostile', '-o', 'wide'],
      ['list', '-A', '--target', `hostile/Deployment/x${ESC}`],
      ['locks'],
      ['locks', '-o', 'yaml'],
      ['rejections'],
      ['rejections', '-o', 'json'],
    ]) {
      const { out, code } = await run(...args);
      expect(code, args.join(' ')).toBe(0);
      // YAML writes ESC as \e inside double quotes; the rest as \u001b.
      expect(out, args.join(' ')).toMatch(/\\(u001b|e)\[31m/);
      expect(out, args.join(' ')).not.toContain('\u001b');
    }
  });

  it('WE-12: locks by holder namespace (-n), target, and page', async () => {
    const targets = (out: string) => names(out).map((n) => n.split('/').slice(0, 3).join('/'));
    expect((await run('locks', '-n', 'payment')).out).toMatch(
      /^default\s+payment\/Deployment\/a\s+default\/payment\/holder\s+running/m,
    );
    expect(names((await run('locks', '-n', 'payment')).out)).toHaveLength(1);
    expect(await run('locks', '-n', 'nobody')).toMatchObject({
      err: 'No locks held by executions of namespace nobody.\n',
    });
    expect(names((await run('locks', '--target', 'checkout/Deployment/b')).out)).toHaveLength(1);
    expect(names((await run('locks', '-A')).out)).toHaveLength(3);
    const first = await run('locks', '--limit', '2');
    expect(targets(first.out)).toHaveLength(2);
    const token = /--continue (\S+)\n$/.exec(first.err)?.[1];
    expect(token).toBeDefined();
    const rest = await run('locks', '--limit', '2', '--continue', token!);
    expect(rest.out).toMatch(/^default\s+payment\/Deployment\/a\s/m);
    expect(rest.err).toBe('');
  });

  it('WE-12: rejections page with --limit and have no -n', async () => {
    const first = await run('rejections', '--limit', '1');
    expect(first.out).toMatch(/^m-0\s/m);
    expect(first.err).toMatch(/^more: wfe rejections --limit 1 --continue \S+\n$/);
    expect((await run('rejections', '-n', 'x')).code).toBe(2);
  });
});

describe('following changes with -w (WE-12)', () => {
  it('WE-12: list -w prints the table, then a row for each new or changed execution, until Ctrl-C', async () => {
    const watch = follow(['list', '-n', 'watch', '-w']);
    await eventually(
      async () => expect(watch.err()).toBe('No executions found in namespace watch.\n'),
      20_000,
    );
    const started = execution('watch', 'we-w', 10, { phase: 'Running' });
    await write(started, 0);
    await eventually(async () => expect(watch.out()).toMatch(/^default\s+watch\s+we-w\s+Running\s/m), 20_000);
    await write({ ...started, status: { phase: 'Completed', conditions: {} }, version: 1 }, 1);
    await eventually(
      async () => expect(watch.out()).toMatch(/^default\s+watch\s+we-w\s+Completed\s/m),
      20_000,
    );
    watch.stop();
    expect(await watch.code).toBe(0);
    expect(watch.out().match(/^default\s+watch\s+we-w\s/gm)).toHaveLength(2);
  }, 90_000);

  it('WE-12: list --phase Running -w shows how an execution that leaves the phase ended', async () => {
    const running = execution('leave', 'we-leave', 11, { phase: 'Running' });
    await write(running, 0);
    const watch = follow(['list', '-n', 'leave', '--phase', 'Running', '-w']);
    await eventually(async () => expect(watch.out()).toMatch(/^CLUSTER\s+NAMESPACE\s+NAME\s+PHASE/), 20_000);
    await write({ ...running, status: { phase: 'Failed', conditions: {} }, version: 1 }, 1);
    await eventually(
      async () => expect(watch.out()).toMatch(/^default\s+leave\s+we-leave\s+Failed\s/m),
      20_000,
    );
    watch.stop();
    expect(await watch.code).toBe(0);
  }, 90_000);

  it('WE-12: locks -w prints a lock that goes as released', async () => {
    const held = lock('gone/Deployment/z', 'gone');
    await store.write({ lock: { op: 'put', lock: held, expectVersion: 'absent' } });
    const watch = follow(['locks', '-n', 'gone', '-w']);
    await eventually(
      async () =>
        expect(watch.out()).toMatch(/^default\s+gone\/Deployment\/z\s+default\/gone\/holder\s+running/m),
      20_000,
    );
    await store.write({ lock: { op: 'delete', key: held.key, expectVersion: held.version } });
    await eventually(
      async () =>
        expect(watch.out()).toMatch(/^default\s+gone\/Deployment\/z\s+default\/gone\/holder\s+released\s+-/m),
      20_000,
    );
    watch.stop();
    expect(await watch.code).toBe(0);
  }, 90_000);

  it('WE-12: get -w prints the execution at each change and ends with it', async () => {
    const running = execution('get', 'we-get', 12, { phase: 'Running' });
    await write(running, 0);
    const watch = follow(['get', 'get/we-get', '-w']);
    await eventually(async () => expect(watch.out()).toMatch(/^default\s+get\s+we-get\s+Running/m), 20_000);
    await write({ ...running, status: { phase: 'Completed', conditions: {} }, version: 1 }, 1);
    expect(await watch.code).toBe(0);
    const lines = watch.out().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^default\s+get\s+we-get\s+Completed/);
    // An execution that has ended prints once and returns.
    expect((await run('get', 'get/we-get', '-w')).out.trimEnd().split('\n')).toHaveLength(2);
  }, 90_000);
});
