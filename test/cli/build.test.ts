/**
 * The built `wfe` (bin/build.mjs), as an installed package has it: bin/wfe.mjs beside dist/, with no
 * sources and no node_modules anywhere above it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { buildCli } from '../../bin/build.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the built wfe', () => {
  let pkg: string;
  let metafile: {
    outputs: Record<
      string,
      { imports: { path: string; kind: string }[]; inputs: Record<string, unknown>; entryPoint?: string }
    >;
  };
  beforeAll(async () => {
    pkg = await mkdtemp(join(tmpdir(), 'wfe-installed-'));
    await mkdir(join(pkg, 'bin'));
    await copyFile(join(ROOT, 'bin/wfe.mjs'), join(pkg, 'bin/wfe.mjs'));
    metafile = await buildCli(join(pkg, 'dist'));
  }, 120_000);

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(pkg, 'bin/wfe.mjs'), ...args], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });

  it('is what npm packs: bin/wfe.mjs and dist/', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ) as { files: { path: string }[] }[];
    const paths = packed!.files.map((f) => f.path);
    expect(paths).toContain('bin/wfe.mjs');
    expect(paths.filter((p) => p.startsWith('cli/') || p.startsWith('functions/'))).toEqual([]);
  });

  it('runs from outside the checkout with plain node: version, help, and a command that goes to AWS', () => {
    const version = run(['version']);
    expect(version.stderr).toBe('');
    expect(version.stdout).toMatch(/^wfe 0\.1\.0\nbuilt from commit ([0-9a-f]{12}|unknown)\nnode v/);
    expect(run(['get', '--help']).stdout).toMatch(/^Usage: wfe get NAMESPACE\/NAME/);
    const get = run(['get', 'default/x'], {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(get.status).toBe(1);
    expect(get.stderr).toMatch(/^wfe get: no system to talk to: .*the AWS stack "wfe" could not be read/);
  }, 60_000);

  it('loads for each command only what it uses: zod for submit alone, the Kubernetes client only for the cluster', () => {
    const { outputs } = metafile;
    const entry = (source: string) => Object.keys(outputs).find((o) => outputs[o]!.entryPoint === source)!;
    /** The packages a chunk loads before it runs: its static imports, transitively. */
    const packages = (source: string) => {
      const seen = new Set<string>();
      const stack = [entry(source)];
      while (stack.length > 0) {
        const out = stack.pop()!;
        if (seen.has(out)) continue;
        seen.add(out);
        for (const i of outputs[out]!.imports)
          if (i.kind === 'import-statement' && outputs[i.path]) stack.push(i.path);
      }
      const names = [...seen].flatMap((o) =>
        Object.keys(outputs[o]!.inputs).map((input) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1]),
      );
      return new Set(names.filter(Boolean));
    };
    expect([...packages('cli/wfe.ts')]).toEqual([]);
    for (const command of [
      'get',
      'list',
      'locks',
      'rejections',
      'audit-show',
      'audit-redrive',
      'version',
      'help',
    ]) {
      const loaded = packages(`cli/commands/${command}.ts`);
      expect(loaded.has('zod'), command).toBe(false);
      expect(loaded.has('@kubernetes/client-node'), command).toBe(false);
      expect(loaded.has('@aws-sdk/client-sqs') && !['audit-redrive'].includes(command), command).toBe(false);
    }
    expect(packages('cli/commands/submit.ts').has('zod')).toBe(true);
    expect(packages('functions/adapters/kubernetes/cluster.ts').has('@aws-sdk/client-eks')).toBe(true);
  });
});
