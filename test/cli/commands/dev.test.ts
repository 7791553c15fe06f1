import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventsSinkLines } from '../../../cli/commands/dev.js';
import { wfe } from '../harness.js';

const BIN = fileURLToPath(new URL('../../../bin/wfe.mjs', import.meta.url));

describe('wfe dev (before anything starts)', () => {
  it('has --help, and refuses unknown flags and bad ports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wfe-dev-'));
    expect((await wfe(['dev', '--help'], { cwd: dir })).out).toMatch(/^Usage: wfe dev \[--no-examples\]/);
    expect(await wfe(['dev', '--frobnicate'], { cwd: dir })).toMatchObject({ code: 2 });
    expect(await wfe(['dev', '--sqs-port', 'x'], { cwd: dir })).toMatchObject({
      code: 2,
      err: 'wfe dev: --sqs-port must be a port number, got "x"\n',
    });
  });

  it('names a bad variable in one line, before starting any engine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wfe-dev-'));
    const interval = await wfe(['dev'], { cwd: dir, env: { RECONCILE_INTERVAL: 'soon' } });
    expect(interval).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^wfe dev: RECONCILE_INTERVAL must be a duration/),
    });
    const cooldown = await wfe(['dev', '--no-examples'], { cwd: dir, env: { COOLDOWN_PERIOD: 'a while' } });
    expect(cooldown.code).toBe(1);
    expect(cooldown.err).toMatch(/^wfe dev: invalid configuration: COOLDOWN_PERIOD must be a duration.*\n$/);
    expect(cooldown.err.split('\n')).toHaveLength(2);
  });

  it('refuses to start a second time in the same checkout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wfe-dev-'));
    await mkdir(join(dir, '.wfe'));
    await writeFile(join(dir, '.wfe', 'dev.json'), JSON.stringify({ version: 1, pid: process.pid }));
    expect(await wfe(['dev'], { cwd: dir })).toMatchObject({
      code: 1,
      err: `wfe dev: wfe dev already runs in this checkout (pid ${process.pid}); stop it first\n`,
    });
  });

  it('says in one line that Java is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wfe-dev-'));
    const result = spawnSync(process.execPath, [BIN, 'dev', '--no-examples'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' },
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'wfe dev: DynamoDB Local needs Java 17 or newer on the PATH (java was not found): install a JRE, e.g. apt-get install openjdk-17-jre-headless\n',
    );
  }, 40_000);
});

describe('wfe dev: the events sink at start-up (WE-13)', () => {
  const sink = 'http://127.0.0.1:41999/tekton/local';

  it('names the sink the built-in cluster sends to, and no kubectl command', () => {
    const text = eventsSinkLines(sink, false);
    expect(text).toContain(sink);
    expect(text).not.toContain('kubectl');
  });

  it("with a cluster from KUBECONFIG, prints the one command that points its Tekton's config-events at the sink", () => {
    const lines = eventsSinkLines(sink, true).split('\n');
    expect(lines[0]).toContain(sink);
    expect(lines[1]?.trim()).toBe(
      `kubectl patch configmap config-events -n tekton-pipelines --type merge -p '{"data":{"sink":"${sink}"}}'`,
    );
  });

  it('quotes the URL as one shell word whatever its token holds', () => {
    const command = eventsSinkLines("http://127.0.0.1:1/tekton/it's", true).split('\n')[1] ?? '';
    expect(command).toContain(`-p '{"data":{"sink":"http://127.0.0.1:1/tekton/it'\\''s"}}'`);
  });
});
