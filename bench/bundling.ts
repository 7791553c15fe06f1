/**
 * Each function bundled as `cdk deploy` bundles it. infra/lambda-function.ts keeps its settings in
 * a private NodejsFunction `bundling` object, so they are mirrored here as the esbuild options the
 * CDK turns them into (format, target, minify, source map without sources, main fields, banner,
 * the AWS SDK inside), and `mirrorDrift` checks the infra source still says the same.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const FUNCTIONS = ['execute', 'reconcile', 'audit-forwarder', 'events', 'events-sink'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export const BANNER =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

/** What NodejsFunction passes to esbuild for infra's BUNDLING (nothing external: bundleAwsSDK). */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'silent',
  };
}

/** The settings this file mirrors, as they read in infra/lambda-function.ts. */
const MIRRORED = [
  'format: OutputFormat.ESM',
  "target: 'node22'",
  'minify: true',
  'sourceMap: true',
  'sourcesContent: false',
  "mainFields: ['module', 'main']",
  `banner: "${BANNER}"`,
  'bundleAwsSDK: true',
];

/** Settings the infra source no longer states as mirrored here (empty when in step). */
export async function mirrorDrift(): Promise<string[]> {
  const infra = await readFile(`${ROOT}infra/lambda-function.ts`, 'utf8');
  const missing = MIRRORED.filter((line) => !infra.includes(line));
  // Any other setting added to the infra object is one this mirror does not know about.
  const block = /const BUNDLING = \{([\s\S]*?)\n\};/.exec(infra)?.[1] ?? '';
  const keys = [...block.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]);
  const known = new Set([...MIRRORED.map((l) => l.split(':')[0]), 'forceDockerBundling']);
  return [...missing, ...keys.filter((k) => k && !known.has(k)).map((k) => `unmirrored setting ${k}`)];
}
