import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asObj, eventually, PR, pipelineRun } from './kube-client.js';

const dir = mkdtempSync(join(tmpdir(), 'wfe-kube-api-'));
const kubeconfigPath = join(dir, 'kubeconfig');
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'local/kube-api/main.ts',
      '--kubeconfig-out',
      kubeconfigPath,
      '--run-duration',
      '50ms',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)\n/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`kube-api exited with ${code}`)));
  });
}, 30_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('local/kube-api/main.ts', () => {
  it('prints its URL, writes a kubeconfig for it, and runs PipelineRuns to completion', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(kubeconfigPath, 'utf8')).toContain('insecure-skip-tls-verify: true');
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    expect(kc.getCurrentCluster()?.server).toBe(url);
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('wfe-main') });
    await eventually(async () => {
      const run = asObj(await custom.getNamespacedCustomObject({ ...PR, name: 'wfe-main' }));
      expect((run.status?.conditions as { status: string }[] | undefined)?.[0]?.status).toBe('True');
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
