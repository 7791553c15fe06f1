/**
 * §7 "cold start": each function's bundle (minified, bytes and gzip) and its module initialisation
 * time, beside a bare handler bundled the same way. Initialisation is timed in a fresh `node`
 * process as the `import()` of the bundle alone, with the environment Lambda would give it
 * (AWS_LAMBDA_FUNCTION_NAME set, so each handler builds its dependencies at import, as deployed;
 * endpoints and the cluster are local, and nothing is contacted during init). Runs are interleaved
 * across bundles so drifting machine load touches all of them alike.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { localKubeconfig } from '../local/kube-api/kubeconfig.js';
import { esbuildOptions, FUNCTIONS, mirrorDrift, ROOT } from './bundling.js';
import type { BenchContext } from './context.js';
import { type Figure, figure, round, type Section } from './figures.js';
import { summarize } from './stats.js';

const run = promisify(execFile);
const BARE = 'bare handler';

export interface Bundle {
  name: string;
  path: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  /** Carries the cluster adapter (functions/adapters/kubernetes/). */
  kubernetesClient: boolean;
  /** Output bytes by npm package (or "wfe" for the project's own code), largest first. */
  largest: { from: string; bytes: number }[];
}

function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return 'wfe';
  const [first, second] = input.slice(at + 'node_modules/'.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : (first ?? input);
}

export async function bundle(name: string, entry: string, dir: string): Promise<Bundle> {
  const path = join(dir, name.replace(/\s+/g, '-'), 'index.mjs');
  // The bench's own entries (the bare handlers) live in a temporary folder: packages from this checkout.
  const result = await build({ ...esbuildOptions(entry, path), nodePaths: [`${ROOT}node_modules`] });
  const output = Object.values((result.metafile as Metafile).outputs).find((o) => o.entryPoint);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {}))
    byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
  const code = await readFile(path);
  return {
    name,
    path,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: (await stat(`${path}.map`)).size,
    kubernetesClient: Object.keys(output?.inputs ?? {}).some((input) =>
      input.includes('functions/adapters/kubernetes/'),
    ),
    largest: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([from, bytes]) => ({ from, bytes })),
  };
}

/** Timed inside the child, so node's own start-up is left out: only the bundle's import is measured. */
const IMPORT_TIMER = `
const { pathToFileURL } = await import('node:url');
const t0 = performance.now();
const m = await import(pathToFileURL(process.env.BENCH_BUNDLE).href);
const ms = performance.now() - t0;
if (typeof m.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write('\\n' + JSON.stringify({ ms }) + '\\n');
`;

/** The environment of the deployed function (infra/functions.ts), pointed at local endpoints. */
export function lambdaEnv(
  name: string,
  kubeconfig: string,
  dir: string,
  sourceMaps: boolean,
): NodeJS.ProcessEnv {
  const local = 'http://127.0.0.1:9';
  const common = {
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: dir,
    AWS_LAMBDA_FUNCTION_NAME: `wfe-${name.replace(/\s+/g, '-')}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: local,
    AWS_ENDPOINT_URL_SQS: local,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: name,
    POWERTOOLS_METRICS_NAMESPACE: 'wfe',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // As deployed (infra/lambda-function.ts); the other run leaves it out to show what it costs.
    NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : '',
  };
  const execution = {
    TABLE_NAME: 'wfe-state',
    EXECUTION_NAMESPACE: 'kubernaut-workflows',
    SERVICE_ACCOUNT_NAME: 'kubernaut-workflow-runner',
    CLUSTER_NAME: 'default',
    COOLDOWN_PERIOD: '5m',
    LOCK_LEASE: '15m',
    // Deployed: CLUSTER_AUTH=eks, which also calls EKS and signs a token at init (network, not measured).
    CLUSTER_AUTH: 'local',
    KUBECONFIG: kubeconfig,
  };
  const timers = { TIMER_QUEUE_URL: `${local}/q/timers` };
  if (name === 'execute')
    return {
      ...common,
      ...execution,
      ...timers,
      QUEUE_URL: `${local}/q/requests`,
      DLQ_URL: `${local}/q/requests-dlq`,
    };
  if (name === 'reconcile' || name === 'events') return { ...common, ...execution, ...timers };
  if (name === 'events-sink')
    return {
      ...common,
      EVENTS_QUEUE_URL: `${local}/q/events`,
      EVENTS_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:wfe-events-token',
    };
  if (name === 'audit-forwarder')
    return {
      ...common,
      DATASTORAGE_URL: local,
      AUDIT_DLQ_URL: `${local}/q/audit-dlq`,
      AUDIT_BATCH_SIZE: '100',
    };
  return common;
}

async function importMs(b: Bundle, env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER], {
      env: { ...env, BENCH_BUNDLE: b.path },
      cwd: join(b.path, '..'),
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    return (JSON.parse(last) as { ms: number }).ms;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `importing the ${b.name} bundle failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

export async function measureBundles(ctx: BenchContext): Promise<Section> {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-bench-bundles-'));
  try {
    ctx.progress('bundles: esbuild, as the CDK app bundles');
    const bareEntry = join(dir, 'bare.ts');
    await writeFile(bareEntry, 'export const handler = async () => ({});\n');
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, localKubeconfig('http://127.0.0.1:9', 'local'), { mode: 0o600 });
    // Side by side: esbuild builds in its own process, and nothing is being timed yet.
    const bundles: Bundle[] = await Promise.all([
      bundle(BARE, bareEntry, dir),
      ...FUNCTIONS.map((name) => bundle(name, `${ROOT}functions/${name}/handler.ts`, dir)),
    ]);
    const drift = await mirrorDrift();

    const runs = ctx.scale.bundles.initRuns;
    ctx.progress(`bundles: module initialisation, ${runs} fresh processes per bundle and setting`);
    const times = new Map<string, { sourceMaps: number[]; plain: number[] }>(
      bundles.map((b) => [b.name, { sourceMaps: [], plain: [] }]),
    );
    for (let i = 0; i < runs; i++) {
      for (const b of i % 2 === 0 ? bundles : [...bundles].reverse()) {
        const t = times.get(b.name)!;
        t.sourceMaps.push(await importMs(b, lambdaEnv(b.name, kubeconfig, dir, true)));
        t.plain.push(await importMs(b, lambdaEnv(b.name, kubeconfig, dir, false)));
      }
    }

    const bare = bundles[0]!;
    const bareInit = summarize(times.get(BARE)!.sourceMaps);
    const barePlain = summarize(times.get(BARE)!.plain);
    const figures: Figure[] = [];
    for (const b of bundles.slice(1)) {
      const withMaps = summarize(times.get(b.name)!.sourceMaps);
      const plain = summarize(times.get(b.name)!.plain);
      figures.push(
        figure(`bundle.${b.name}.bytes`, `${b.name}: bundle, minified`, round(b.bytes / 1024, 0), 'KiB', {
          baseline: { label: 'bare handler', value: round(bare.bytes / 1024, 2), unit: 'KiB' },
        }),
        figure(`bundle.${b.name}.gzipBytes`, `${b.name}: bundle, gzip`, round(b.gzipBytes / 1024, 0), 'KiB', {
          baseline: { label: 'bare handler', value: round(bare.gzipBytes / 1024, 2), unit: 'KiB' },
          ...(b.name === 'audit-forwarder'
            ? { target: { text: 'no Kubernetes client', pass: !b.kubernetesClient } }
            : {}),
        }),
        figure(
          `bundle.${b.name}.initMs`,
          `${b.name}: module init, median (source maps on, as deployed)`,
          round(withMaps.p50, 0),
          'ms',
          {
            baseline: { label: 'bare handler', value: round(bareInit.p50, 1), unit: 'ms' },
          },
        ),
        figure(
          `bundle.${b.name}.initMsWithoutSourceMaps`,
          `${b.name}: module init, median (no --enable-source-maps)`,
          round(plain.p50, 0),
          'ms',
          {
            baseline: { label: 'bare handler', value: round(barePlain.p50, 1), unit: 'ms' },
          },
        ),
      );
    }
    return {
      id: 'bundles',
      title: `4. Bundles and module initialisation (esbuild ${ESBUILD_VERSION}; init = import() in a fresh node ${process.version}, median of ${runs})`,
      figures,
      notes: [
        'esbuild options mirror infra/lambda-function.ts (ESM, node22, minify, linked source map without sources, mainFields module/main, createRequire banner, AWS SDK bundled).',
        drift.length === 0
          ? 'The mirrored options match infra/lambda-function.ts as it reads today.'
          : `WARNING: infra/lambda-function.ts no longer matches the mirrored options: ${drift.join('; ')}`,
        'Init runs with AWS_LAMBDA_FUNCTION_NAME set, so the handler builds its clients at import (top-level await), as in Lambda; CLUSTER_AUTH=local (a kubeconfig file) instead of eks, whose DescribeCluster and token signing are network calls.',
        'Lambda’s Init Duration adds the runtime’s own start (≈ 120–140 ms for a bare handler, maxday/lambda-perf) to the import measured here.',
      ],
      details: {
        mirrorDrift: drift,
        bundles: bundles.map((b) => ({
          ...b,
          path: undefined,
          init: {
            sourceMaps: summarize(times.get(b.name)!.sourceMaps),
            plain: summarize(times.get(b.name)!.plain),
          },
          samples: times.get(b.name),
        })),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ESBUILD_VERSION = (await import('esbuild')).version;
