/**
 * `npm run bench`: the SPEC §7 figures, measured on this machine against the local system, each
 * beside a baseline taken in the same run. Starts and stops everything it needs; writes
 * bench/results.json and prints a table. Exits 0 when targets are missed (the table says so) and
 * 1 only when a measurement could not be taken.
 *
 *   BENCH_SCALE=small              the smoke-test scale (seconds, figures not meaningful)
 *   BENCH_ONLY=lifecycle,bundles   run some sections only
 *   BENCH_DYNAMODB_ENDPOINT=url    use a running DynamoDB Local instead of starting one
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type DynamoDbLocal, startDynamoDbLocal } from '../local/aws/dynamodb-local.js';
import type { BenchContext } from './context.js';
import type { Section } from './figures.js';
import { machine } from './machine.js';
import { renderTable } from './report.js';
import { scaleFromEnv } from './scale.js';
import { SECTIONS } from './sections.js';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

async function main(): Promise<number> {
  const scale = scaleFromEnv();
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const selected = SECTIONS.filter((s) => !only || only.includes(s.id));
  const host = machine();
  const startedAt = new Date();
  const progress = (message: string) =>
    process.stderr.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${message}\n`);

  let dynamodb: DynamoDbLocal | undefined;
  const stop = async () => {
    const d = dynamodb;
    dynamodb = undefined;
    await d?.stop();
  };
  // DynamoDB Local is a separate JVM: it must not outlive an interrupted bench.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void stop().finally(() => process.exit(130));
    });

  const sections: Section[] = [];
  const errors: { section: string; error: string }[] = [];
  try {
    let endpoint = process.env.BENCH_DYNAMODB_ENDPOINT;
    if (!endpoint) {
      progress('starting DynamoDB Local');
      dynamodb = await startDynamoDbLocal();
      endpoint = dynamodb.endpoint;
    }
    const ctx: BenchContext = { dynamodbEndpoint: endpoint, scale, progress };
    for (const section of selected) {
      progress(`${section.id}…`);
      const began = Date.now();
      try {
        const measured = await section.measure(ctx);
        measured.seconds = Math.round((Date.now() - began) / 100) / 10;
        sections.push(measured);
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        errors.push({ section: section.id, error });
        progress(`${section.id} FAILED: ${error}`);
      }
    }
  } finally {
    await stop();
  }

  const results = {
    date: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    scale: scale.name,
    machine: { ...host, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    sections,
    targetsMissed: sections.flatMap((s) =>
      s.figures
        .filter((f) => f.target && !f.target.pass)
        .map((f) => ({ id: f.id, value: f.value, unit: f.unit, target: f.target?.text })),
    ),
    errors,
  };
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `wfe bench (${scale.name}) — ${results.date}, node ${host.node}, ${host.cpus} × ${host.cpuModel}, load ${host.loadAverageAtStart.join(' ')}\n\n`,
  );
  process.stdout.write(`${renderTable(sections)}\n`);
  for (const e of errors)
    process.stdout.write(`\nsection ${e.section} could not be measured: ${e.error.split('\n')[0]}\n`);
  process.stdout.write(`\nresults: ${RESULTS}\n`);
  return errors.length > 0 ? 1 : 0;
}

process.exitCode = await main();
