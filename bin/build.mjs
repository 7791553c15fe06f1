#!/usr/bin/env node
/**
 * Builds the `wfe` command into dist/ (`npm run build`; `npm ci` and `npm pack` run it as `prepare`):
 * one ESM entry, dist/wfe.mjs, and a chunk per lazily imported part, so a command loads only the
 * code it runs (zod for `submit`, the Kubernetes client for commands that talk to the cluster, each
 * AWS SDK client where it is used). Everything is bundled: the built command needs no node_modules.
 * dist/inputs.json lists the checkout's sources the bundle was built from, so bin/wfe.mjs can tell
 * a bundle older than the sources.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The git commit of the checkout, or undefined outside one. */
function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Builds into outdir (default dist/); returns esbuild's metafile. */
export async function buildCli(outdir = join(ROOT, 'dist')) {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { wfe: 'cli/wfe.ts' },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    // The Kubernetes client's CommonJS dependencies call `require`, which ESM lacks.
    banner: {
      js: "import { createRequire as __wfeRequire } from 'node:module';const require = __wfeRequire(import.meta.url);",
    },
    define: { WFE_BUILD: JSON.stringify({ version, commit: gitCommit() ?? null }) },
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter(
    (path) => !path.startsWith('<') && !path.includes('node_modules/'),
  );
  writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify({ builtAt: Date.now(), inputs })}\n`);
  return result.metafile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outdir = process.argv[2];
  await buildCli(outdir);
}
