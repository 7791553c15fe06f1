/**
 * `npx cdk synth` with settings an operator got wrong: a misspelt key and an invalid value. The CLI
 * must stop with a non-zero exit and print each problem once, as a short list, with no stack trace.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function synth(args: string[], outdir: string): Promise<{ code: number; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  for (const key of Object.keys(env)) if (/^(AWS_|CDK_DEFAULT_)/.test(key)) delete env[key];
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['cdk', 'synth', '--no-notices', '-q', '-o', outdir, ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe('cdk synth with wrong settings', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'wfe-cdk-context-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('exits non-zero, naming the closest setting and each bad value once, without a stack trace', async () => {
    const { code, stderr } = await synth(['-c', 'cooldown=1m', '-c', 'maxReceiveCount=0'], outdir);
    expect(code, stderr).not.toBe(0);
    const count = (text: string) => stderr.split(text).length - 1;
    expect(count('cooldown: is not a setting; did you mean cooldownPeriod?'), stderr).toBe(1);
    expect(count('maxReceiveCount: must be at least 1'), stderr).toBe(1);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain('InfraConfigError');
    expect(stderr.trim().split('\n').length, stderr).toBeLessThanOrEqual(5);
  }, 120_000);
});
