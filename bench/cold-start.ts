/**
 * §7 "cold start", whole process: from spawning `node` on a function's bundle to its handler being
 * ready (the bundle imported, its dependencies built at import as in Lambda), beside a bare handler
 * that builds the same AWS SDK clients, bundled the same way, in the same run. Node's own start is
 * in both, as Lambda's runtime start is; so the ratio is what the function's code costs on top.
 * Runs are interleaved across bundles, so drifting machine load touches all of them alike.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localKubeconfig } from '../local/kube-api/kubeconfig.js';
import { type Bundle, bundle, lambdaEnv } from './bundles.js';
import { FUNCTIONS, type FunctionName, ROOT } from './bundling.js';
import type { BenchContext } from './context.js';
import { atMost, type Figure, figure, round, type Section } from './figures.js';
import { summarize } from './stats.js';

const DYNAMODB = `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });`;
const SQS = `import { SQSClient } from '@aws-sdk/client-sqs';\nnew SQSClient({});`;
const SECRETS = `import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\nnew SecretsManagerClient({});`;

/** The AWS SDK clients each function builds at its cold start, as deployed (timers on). */
const CLIENTS: Record<FunctionName, string[]> = {
  execute: [DYNAMODB, SQS],
  reconcile: [DYNAMODB, SQS],
  events: [DYNAMODB, SQS],
  'audit-forwarder': [SQS],
  'events-sink': [SQS, SECRETS],
};

/** SPEC §7's limits, as a multiple of the bare handler; the sink has none. */
const LIMITS: Partial<Record<FunctionName, number>> = {
  execute: 1.5,
  reconcile: 1.5,
  'audit-forwarder': 1.2,
  events: 1.2,
};

/** Prints one line once the bundle's handler is ready; the spawn-to-line time is the sample. */
const READY = `
const { pathToFileURL } = await import('node:url');
const m = await import(pathToFileURL(process.env.BENCH_BUNDLE).href);
if (typeof m.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write('ready\\n');
`;

function startMs(b: Bundle, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', READY], {
      env: { ...env, BENCH_BUNDLE: b.path },
      cwd: join(b.path, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let ready: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready === undefined && stdout.includes('ready\n')) ready = performance.now() - began;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && ready !== undefined) resolve(ready);
      else
        reject(
          new Error(
            `starting the ${b.name} bundle failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
          ),
        );
    });
  });
}

export async function measureColdStart(ctx: BenchContext): Promise<Section> {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-bench-cold-'));
  try {
    ctx.progress('cold start: esbuild, as the CDK app bundles, and a bare handler per function');
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, localKubeconfig('http://127.0.0.1:9', 'local'), { mode: 0o600 });
    const pairs = await Promise.all(
      FUNCTIONS.map(async (name) => {
        const bareEntry = join(dir, `bare-${name}.ts`);
        await writeFile(bareEntry, `${CLIENTS[name].join('\n')}\nexport const handler = async () => ({});\n`);
        const [fn, bare] = await Promise.all([
          bundle(name, `${ROOT}functions/${name}/handler.ts`, dir),
          bundle(`bare ${name}`, bareEntry, dir),
        ]);
        return { name, fn, bare };
      }),
    );

    const runs = ctx.scale.coldStart.runs;
    ctx.progress(`cold start: ${runs} fresh processes per bundle`);
    const samples = new Map<string, number[]>();
    const all = pairs.flatMap((p) => [p.fn, p.bare]);
    for (let i = 0; i < runs; i++) {
      for (const b of i % 2 === 0 ? all : [...all].reverse()) {
        // The function's own environment for both: the bare handler reads none of it.
        const env = lambdaEnv(b.name.replace(/^bare /, ''), kubeconfig, dir, true);
        samples.set(b.name, [...(samples.get(b.name) ?? []), await startMs(b, env)]);
      }
    }

    const figures: Figure[] = [];
    for (const { name, fn, bare } of pairs) {
      const own = summarize(samples.get(fn.name)!);
      const base = summarize(samples.get(bare.name)!);
      const ratio = own.p50 / base.p50;
      const limit = LIMITS[name];
      figures.push(
        figure(
          `coldStart.${name}.ms`,
          `${name}: process start to handler ready, median`,
          round(own.p50, 0),
          'ms',
          {
            baseline: { label: 'bare handler, same SDK clients', value: round(base.p50, 0), unit: 'ms' },
            note: `${round(fn.bytes / 1024, 0)} KiB bundle beside ${round(bare.bytes / 1024, 0)} KiB`,
          },
        ),
        figure(`coldStart.${name}.ratio`, `${name}: cold start ÷ bare handler`, round(ratio, 2), '×', {
          ...(limit ? { target: atMost(ratio, limit, `≤ ${limit}×`) } : {}),
        }),
      );
    }
    return {
      id: 'coldStart',
      title: `Cold start, whole process (spawn node ${process.version} → handler ready, source maps on, median of ${runs})`,
      figures,
      notes: [
        'Each bare handler builds the AWS SDK clients its function builds at import (DynamoDB document client, SQS, Secrets Manager), bundled with the same esbuild options.',
        'AWS_LAMBDA_FUNCTION_NAME is set, so each handler builds its dependencies at import, as in Lambda; CLUSTER_AUTH=local (a kubeconfig file), since eks mode calls EKS and signs a token at init (network).',
      ],
      details: {
        bundles: pairs.map(({ name, fn, bare }) => ({
          name,
          bytes: fn.bytes,
          bareBytes: bare.bytes,
          largest: fn.largest,
          ms: summarize(samples.get(fn.name)!),
          bareMs: summarize(samples.get(bare.name)!),
        })),
        samples: Object.fromEntries(samples),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
