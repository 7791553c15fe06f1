/**
 * `npx cdk synth` as CI runs it: offline, no AWS account, no settings; it must exit 0. The same run
 * is the one real bundling of the three handlers (local esbuild, as `cdk deploy` does it), so this
 * file also checks what ships: ESM with the require banner, minified, source-mapped, the AWS SDK
 * inside, and no Kubernetes client in the audit forwarder. It prints each bundle's size.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BANNER = "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";
const run = promisify(execFile);

interface Bundle {
  path: string;
  code: string;
  sources: string[];
  bytes: number;
  mapBytes: number;
}

describe('cdk synth', () => {
  // A private output directory: engineers and CI may synth in the same checkout at the same time.
  const outdir = mkdtempSync(join(tmpdir(), 'wfe-cdk-out-'));
  let stderr = '';
  const bundles = new Map<string, Bundle>();

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
    // No AWS account: nothing from the caller's shell may point the CLI at one.
    for (const key of Object.keys(env)) if (/^(AWS_|CDK_DEFAULT_)/.test(key)) delete env[key];
    // execFile rejects on a non-zero exit, failing every test below with the CLI's output.
    ({ stderr } = await run('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outdir], {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    }));

    type Resource = { Type: string; Properties: { FunctionName: string; Code: { S3Key: string } } };
    const template = JSON.parse(readFileSync(join(outdir, 'wfe.template.json'), 'utf8')) as {
      Resources: Record<string, Resource>;
    };
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const { FunctionName: name, Code: code } = resource.Properties;
      const path = join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
      bundles.set(name, {
        path,
        code: readFileSync(path, 'utf8'),
        sources: (JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] }).sources,
        bytes: statSync(path).size,
        mapBytes: statSync(`${path}.map`).size,
      });
    }
    for (const [name, b] of bundles)
      console.log(
        `bundle ${name}: ${(b.bytes / 1024).toFixed(1)} KiB (source map ${(b.mapBytes / 1024).toFixed(1)} KiB)`,
      );
  }, 240_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('runs offline with no context, exits 0 and warns about the unset settings', () => {
    expect(stderr).toContain('eksClusterName is not set');
    expect(stderr).toContain('dataStorageUrl is not set');
    expect(stderr).not.toMatch(/AwsSolutions-/);
  });

  it('bundles all three functions', () => {
    expect([...bundles.keys()].sort()).toEqual([
      'wfe-audit-forwarder',
      'wfe-events',
      'wfe-events-sink',
      'wfe-execute',
      'wfe-reconcile',
    ]);
  });

  it('emits minified ESM with the require banner and a linked source map', async () => {
    for (const b of bundles.values()) {
      expect(b.code.startsWith(BANNER)).toBe(true);
      expect(b.code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      expect(b.code.split('\n').length).toBeLessThan(b.bytes / 1000);
      expect(b.sources.some((src) => src.includes('functions/'))).toBe(true);
      await run(process.execPath, ['--check', b.path]);
    }
  });

  it('carries the pinned AWS SDK inside instead of importing the runtime one', () => {
    for (const b of bundles.values()) {
      expect(b.sources.some((src) => src.includes('node_modules/@aws-sdk/'))).toBe(true);
      expect(b.code).not.toMatch(/from\s*"@aws-sdk\//);
    }
  });

  it('keeps the cluster adapter out of the audit forwarder, and @kubernetes/client-node out of every bundle', () => {
    const has = (b: Bundle | undefined, path: string) => b?.sources.some((src) => src.includes(path));
    const adapter = 'functions/adapters/kubernetes/api-client.ts';
    expect(has(bundles.get('wfe-audit-forwarder'), adapter)).toBe(false);
    expect(has(bundles.get('wfe-execute'), adapter)).toBe(true);
    expect(has(bundles.get('wfe-reconcile'), adapter)).toBe(true);
    for (const b of bundles.values()) {
      expect(has(b, '@kubernetes/client-node')).toBe(false);
      expect(b.code).not.toContain('@kubernetes/client-node');
    }
  });
});
