/**
 * Runs `wfe` command lines in process (as bin/wfe.mjs does, minus process.exit) against a local
 * system started for the test file: its .wfe/dev.json names this process, so commands run with
 * `cwd: dir` find it, exactly as in a checkout where `npm start` runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { runCli } from '../../cli/dispatch.js';
import { type LocalSystem, startLocalSystem } from '../../local/system.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function wfe(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; stdin?: string },
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: { write: (text: string) => out.push(text) },
    err: { write: (text: string) => err.push(text) },
    env: options.env ?? {},
    cwd: options.cwd,
    readStdin: async () => options.stdin ?? '',
    stopSignal: () => new AbortController().signal,
  });
  return { code, out: out.join(''), err: err.join('') };
}

export interface CliSystem {
  dir: string;
  system: LocalSystem;
  run(
    args: string[],
    options?: { env?: Record<string, string | undefined>; stdin?: string },
  ): Promise<CliResult>;
  stop(): Promise<void>;
}

export async function startCliSystem(env: Record<string, string> = {}): Promise<CliSystem> {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-cli-'));
  const system = await startLocalSystem({
    env: { COOLDOWN_PERIOD: '1m', ...env },
    reconcileIntervalMs: 250,
    stateDir: join(dir, '.wfe'),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `wfe-cli-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
    runDurationMs: 300,
    queue: { batchingWindowSeconds: 0 },
  });
  return {
    dir,
    system,
    run: (args, options = {}) => wfe(args, { cwd: dir, ...options }),
    async stop() {
      await system.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A directory with no local system, and an AWS environment that reaches nothing (a closed port). */
export async function nowhere(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-nowhere-'));
  return {
    dir,
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    },
  };
}
