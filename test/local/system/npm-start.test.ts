/**
 * `npm start` end to end: `wfe dev` as a child process, as a user runs it, with the examples on, a
 * short cooldown and a fast schedule. Every example must reach its expected end with its audit trail
 * in DataStorage, and Ctrl-C (SIGINT) must leave no process behind. Then the same with the cluster
 * and DataStorage started separately and given through KUBECONFIG and DATASTORAGE_URL, and with two
 * built-in clusters (WFE_CLUSTERS), which add the two-cluster examples.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Example, examplesFor, loadExamples } from '../../../cli/dev/examples.js';
import { correlationId } from '../../../functions/core/correlation.js';
import { executionKey } from '../../../functions/core/execution-id.js';
import type { DevState } from '../../../local/dev-state.js';
import { wfe } from '../../cli/harness.js';
import { eventually } from '../aws/eventually.js';
import { descendants, isRunning } from './process-tree.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/wfe.mjs');
/**
 * Short, yet long enough that the waiter reaches execute while its target still cools down on a
 * loaded machine: the predecessor's end is seen at a reconcile tick, and its completion time is
 * the PipelineRun's, truncated to the second.
 */
const COOLDOWN_MS = 10_000;

interface ExecutionObject {
  status: {
    phase: string;
    startTime?: string;
    completionTime?: string;
    failureDetails?: { reason: string };
    deduplicatedBy?: string;
    conditions: { type: string; status: string; reason: string }[];
  };
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

function start(args: string[], options: { cwd: string; env?: Record<string, string> }): Started {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Starts one of the built-in engines as its own process and waits for its "listening on URL" line. */
async function startEngine(entry: string, args: string[]): Promise<Started & { url: string }> {
  // From the checkout, where `--import tsx` resolves.
  const engine = start(['--import', 'tsx', join(ROOT, entry), ...args], { cwd: ROOT });
  let url = '';
  await eventually(() => {
    url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1] ?? '';
    expect(url, engine.output()).not.toBe('');
  }, 20_000);
  return { ...engine, url };
}

const expectedTrail = (example: Example) => {
  if (example.expect?.reason === 'Deduplicated') return ['workflow.failed'];
  return example.expect?.phase === 'Completed'
    ? ['workflow.completed', 'workflow.started']
    : ['workflow.failed', 'workflow.started'];
};

async function runToTheEnd(options: { env?: Record<string, string>; dataStorageUrl?: string }) {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-npm-start-'));
  const dev = start([BIN, 'dev', '--run-duration', '1s'], {
    cwd: dir,
    env: { COOLDOWN_PERIOD: `${COOLDOWN_MS / 1000}s`, RECONCILE_INTERVAL: '1s', ...options.env },
  });
  const stateFile = join(dir, '.wfe', 'dev.json');
  await eventually(() => expect(existsSync(stateFile), dev.output()).toBe(true), 45_000, 200);
  const state = JSON.parse(await readFile(stateFile, 'utf8')) as DevState;
  expect(state.pid).toBe(dev.child.pid);
  const dataStorageUrl = options.dataStorageUrl ?? state.dataStorage.url;

  const clusters = state.clusters.map((c) => c.name);
  const examples = examplesFor(await loadExamples(state.cluster.clusterName), clusters);
  expect(examples.map((e) => e.expect?.reason ?? e.expect?.phase)).toEqual([
    'Completed',
    'Completed',
    'Deduplicated',
    'TaskFailed',
    'Completed',
    // The same target string in two clusters: both run, neither is a duplicate (WE-16).
    ...(clusters.length > 1 ? ['Completed', 'Completed'] : []),
  ]);
  const objects = new Map<string, ExecutionObject>();
  await eventually(
    async () => {
      for (const example of examples) {
        const got = await wfe(['get', executionKey(example.id), '-o', 'json'], { cwd: dir });
        expect(got.code, `${executionKey(example.id)}: ${got.err}\n${dev.output()}`).toBe(0);
        const object = JSON.parse(got.out);
        expect(object.status.phase, executionKey(example.id)).toBe(example.expect?.phase);
        objects.set(executionKey(example.id), object);
      }
    },
    45_000,
    500,
  );

  for (const example of examples) {
    const status = objects.get(executionKey(example.id))?.status;
    if (example.expect?.reason) expect(status?.failureDetails?.reason).toBe(example.expect.reason);
    if (example.expect?.reason === 'Deduplicated')
      expect(status?.deduplicatedBy).toBe(`${state.cluster.clusterName}/payment/we-rr-payment-oom-7f3a`);
  }

  // The waiter waited out its predecessor's cooldown, then ran.
  const waiter = examples.find((e) => e.after?.phase === 'Completed');
  expect(waiter).toBeDefined();
  const waited = objects.get(executionKey(waiter!.id))?.status;
  const predecessor = objects.get(executionKey(waiter!.after!.id))?.status;
  expect(Date.parse(waited?.startTime ?? '')).toBeGreaterThanOrEqual(
    Date.parse(predecessor?.completionTime ?? '') + COOLDOWN_MS,
  );
  expect(
    waited?.conditions.find((c) => c.type === 'CooldownActive'),
    `the waiter should have waited Pending: ${JSON.stringify({ waited, predecessor })}`,
  ).toMatchObject({ status: 'False', reason: 'CooldownElapsed' });

  // Each example's audit trail is in DataStorage.
  await eventually(
    async () => {
      for (const example of examples) {
        const query = new URL('/api/v1/audit/events', dataStorageUrl);
        query.searchParams.set('correlation_id', correlationId(example.manifest));
        const page = (await (await fetch(query)).json()) as {
          data: { event_type: string; resource_id: string }[];
        };
        const types = page.data.filter((e) => e.resource_id === example.id.name).map((e) => e.event_type);
        expect(types.sort(), executionKey(example.id)).toEqual(expectedTrail(example));
      }
    },
    15_000,
    500,
  );
  await eventually(
    () =>
      expect(dev.output()).toMatch(new RegExp(`all ${examples.length} examples reached their expected end`)),
    10_000,
  );

  // Ctrl-C: everything it started goes, and nothing is left behind.
  const tree = descendants(dev.child.pid ?? 0);
  expect(tree.some((p) => p.command.includes('DynamoDBLocal.jar'))).toBe(true);
  dev.child.kill('SIGINT');
  const code = await Promise.race([
    dev.exited,
    new Promise((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
  ]);
  expect(code, dev.output()).toBe(0);
  await eventually(() => expect(tree.filter((p) => isRunning(p.pid))).toEqual([]), 10_000, 100);
  expect(existsSync(stateFile)).toBe(false);
  expect(dev.output()).toMatch(/wfe dev: stopped/);
  await rm(dir, { recursive: true, force: true });
  return { output: dev.output() };
}

describe('npm start (wfe dev), end to end', () => {
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('runs every example to its expected end with its audit trail, and stops cleanly on SIGINT', async () => {
    const { output } = await runToTheEnd({});
    expect(output).toMatch(/cluster {9}built-in Kubernetes API/);
    expect(output).toMatch(/DataStorage {5}built-in/);
    // WE-13: the sink the built-in cluster sends its CloudEvents to; no kubectl command for it.
    expect(output).toMatch(/events sink {5}http:\/\/127\.0\.0\.1:\d+\/tekton\/local {3}/);
    expect(output).not.toContain('kubectl patch configmap config-events');
  }, 90_000);

  it('does the same against a separately started cluster (KUBECONFIG) and DataStorage (DATASTORAGE_URL)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wfe-engines-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const [kube, dataStorage] = await Promise.all([
      startEngine('local/kube-api/main.ts', ['--kubeconfig-out', kubeconfig, '--run-duration', '1s']),
      startEngine('local/datastorage/main.ts', []),
    ]);
    const { output } = await runToTheEnd({
      env: { KUBECONFIG: kubeconfig, DATASTORAGE_URL: dataStorage.url },
      dataStorageUrl: dataStorage.url,
    });
    expect(output).toContain(`cluster         KUBECONFIG ${kubeconfig}`);
    expect(output).toContain(`DataStorage     ${dataStorage.url} (DATASTORAGE_URL)`);
    // WE-13: with a cluster of its own, the one command that points its Tekton at the local sink.
    expect(output).toMatch(
      /\n {4}kubectl patch configmap config-events -n tekton-pipelines --type merge -p '\{"data":\{"sink":"http:\/\/127\.0\.0\.1:\d+\/tekton\/local"\}\}'\n/,
    );
    // wfe dev stops what it started, never what it was given.
    expect(isRunning(kube.child.pid ?? 0) && isRunning(dataStorage.child.pid ?? 0)).toBe(true);
    kube.child.kill('SIGTERM');
    dataStorage.child.kill('SIGTERM');
    await Promise.all([kube.exited, dataStorage.exited]);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('WE-16: with WFE_CLUSTERS=east,west runs a built-in cluster each, and the two-cluster examples with the rest', async () => {
    const { output } = await runToTheEnd({ env: { WFE_CLUSTERS: 'east,west' } });
    expect(output).toMatch(/clusters {8}2 built-in Kubernetes APIs/);
    for (const name of ['east', 'west'])
      expect(output).toMatch(
        new RegExp(
          `\\n {4}${name} +http://127\\.0\\.0\\.1:\\d+ +kubeconfig \\.wfe/kubeconfig-${name} +events http://127\\.0\\.0\\.1:\\d+/tekton/local-${name}\\n`,
        ),
      );
    expect(output).toContain('default cluster east');
  }, 150_000);
});
