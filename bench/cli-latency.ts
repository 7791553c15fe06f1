/**
 * §7 "CLI": the whole-process wall time of `wfe` commands against the local system, as an operator
 * waits for them: spawn → exit, beside `node -e 0` measured in the same run. The built command
 * (bin/build.mjs into a temporary package, run with plain node from a directory with no
 * node_modules above it, as installed) and the sources through tsx (how bin/wfe.mjs runs a
 * checkout without a build) are timed alike, runs interleaved so drifting load touches all alike.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
// @ts-expect-error: a plain ESM script without type declarations
import { buildCli } from '../bin/build.mjs';
import { startLocalSystem } from '../local/system.js';
import { ROOT } from './bundling.js';
import type { BenchContext } from './context.js';
import { atMost, type Figure, figure, round, type Section } from './figures.js';
import { summarize } from './stats.js';

const run = promisify(execFile);
/** SPEC §7: `wfe get` and `wfe list` answer within this, whole process. */
const GOAL_S = 0.35;
const COMMANDS: { id: string; args: string[]; goal: boolean }[] = [
  { id: 'get', args: ['get', 'default/we-bench-cli'], goal: true },
  { id: 'list', args: ['list'], goal: true },
  { id: 'help', args: ['--help'], goal: false },
  { id: 'version', args: ['version'], goal: false },
];

async function wallSeconds(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  try {
    await run(process.execPath, args, { cwd, env });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${(e.stderr || e.message).trim().split('\n')[0]}`);
  }
  return (performance.now() - t0) / 1000;
}

export async function measureCliLatency(ctx: BenchContext): Promise<Section> {
  const dir = await mkdtemp(join(tmpdir(), 'wfe-bench-cli-'));
  const system = await startLocalSystem({
    env: { COOLDOWN_PERIOD: '1m' },
    reconcileIntervalMs: 1000,
    stateDir: join(dir, '.wfe'),
    dynamodbEndpoint: ctx.dynamodbEndpoint,
    tableName: `wfe-bench-cli-${Date.now()}`,
    runDurationMs: 300,
  });
  try {
    ctx.progress('cli: building wfe as npm ci does');
    const pkg = join(dir, 'package');
    await mkdir(join(pkg, 'bin'), { recursive: true });
    await copyFile(join(ROOT, 'bin/wfe.mjs'), join(pkg, 'bin/wfe.mjs'));
    await buildCli(join(pkg, 'dist'));
    const variants = {
      built: [join(pkg, 'bin/wfe.mjs')],
      // As `--import tsx` from the checkout, resolved here since the runs' directory has no node_modules.
      tsx: ['--import', import.meta.resolve('tsx'), join(ROOT, 'cli/wfe.ts')],
    };
    const env = { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    const manifest = join(dir, 'we.yaml');
    await writeFile(
      manifest,
      stringify({
        apiVersion: 'kubernaut.ai/v1alpha1',
        kind: 'WorkflowExecution',
        metadata: { name: 'we-bench-cli', namespace: 'default' },
        spec: {
          workflowRef: {
            workflowId: 'bench',
            version: 'v1',
            containerImage: 'ghcr.io/kubernaut/bench@sha256:abc',
          },
          targetResource: 'default/Deployment/bench-cli',
        },
      }),
    );
    await wallSeconds([...variants.built, 'submit', '-f', manifest], dir, env);
    for (let tries = 0; ; tries++) {
      try {
        await wallSeconds([...variants.built, 'get', 'default/we-bench-cli'], dir, env);
        break;
      } catch (err) {
        if (tries > 60) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }

    const runs = ctx.scale.cli.runs;
    ctx.progress(`cli: ${runs} runs of each command, built and through tsx, beside node -e 0`);
    const samples = new Map<string, number[]>();
    const add = (key: string, s: number) => samples.set(key, [...(samples.get(key) ?? []), s]);
    for (let i = 0; i < runs; i++) {
      add('node', await wallSeconds(['-e', '0'], dir, env));
      for (const variant of i % 2 === 0 ? (['built', 'tsx'] as const) : (['tsx', 'built'] as const))
        for (const c of COMMANDS)
          add(`${variant}.${c.id}`, await wallSeconds([...variants[variant], ...c.args], dir, env));
    }

    const node = summarize(samples.get('node')!);
    const baseline = { label: 'node -e 0, p50', value: round(node.p50, 3), unit: 's' };
    const figures: Figure[] = COMMANDS.flatMap((c) => {
      const built = summarize(samples.get(`built.${c.id}`)!);
      const tsx = summarize(samples.get(`tsx.${c.id}`)!);
      const words = c.args[0] === '--help' ? '--help' : c.args[0];
      return [
        figure(`cli.${c.id}.p50`, `wfe ${words}, built: whole process, p50`, round(built.p50, 3), 's', {
          baseline,
          ...(c.goal ? { target: atMost(built.p50, GOAL_S, `≤ ${GOAL_S} s`) } : {}),
          note: `max ${round(built.max, 3)} s; through tsx (no build) p50 ${round(tsx.p50, 3)} s, max ${round(tsx.max, 3)} s`,
        }),
        figure(`cli.${c.id}.max`, `wfe ${words}, built: whole process, max`, round(built.max, 3), 's'),
        figure(`cli.${c.id}.tsx.p50`, `wfe ${words}, sources through tsx: p50`, round(tsx.p50, 3), 's'),
      ];
    });
    return {
      id: 'cli',
      title: `wfe commands, whole process against the local system (n=${runs} each)`,
      figures,
      notes: [
        'Wall time from spawn to exit, as a person waits; the built command is run from a directory with no node_modules above it, as an installed package.',
        '`get` and `list` read DynamoDB Local through the local system; `--help` and `version` load no client.',
      ],
      details: { samples: Object.fromEntries(samples), node },
    };
  } finally {
    await system.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
