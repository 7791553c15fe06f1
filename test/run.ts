/**
 * Runs the whole suite N times (default 1) and reports failures per test, so a flaky test shows
 * up as a count rather than a shrug. `npm test` runs it once; `npm run test:repeat -- 20` twenty times.
 * The last line is the plain "N passed, N failed, N skipped" summary of the last run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string }[];
  }[];
}

const { values, positionals } = parseArgs({
  options: { times: { type: 'string', short: 'n' } },
  allowPositionals: true,
});
// `--times N` or a leading number; anything else is passed to vitest as a filter.
const leadingNumber = positionals[0] !== undefined && /^\d+$/.test(positionals[0]);
const times = Number(values.times ?? (leadingNumber ? positionals[0] : 1));
if (!Number.isInteger(times) || times < 1) {
  console.error(`the number of runs must be a whole number of at least 1, got "${values.times}"`);
  process.exit(2);
}
const filters = positionals.slice(leadingNumber && !values.times ? 1 : 0);

const dir = mkdtempSync(join(tmpdir(), 'wfe-suite-'));
const failures = new Map<string, number>();
let last: JsonReport | undefined;
let exitCode = 0;

for (let run = 1; run <= times; run++) {
  if (times > 1) console.log(`\n=== run ${run} of ${times} ===`);
  const output = join(dir, `run-${run}.json`);
  const result = spawnSync(
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${output}`, ...filters],
    { stdio: 'inherit' },
  );
  try {
    last = JSON.parse(readFileSync(output, 'utf8')) as JsonReport;
  } catch (err) {
    console.error(`vitest wrote no report (exit ${result.status}): ${(err as Error).message}`);
    process.exit(result.status || 1);
  }
  if (result.status !== 0) exitCode = result.status ?? 1;
  for (const file of last.testResults) {
    if (file.status === 'failed' && file.assertionResults.length === 0) {
      failures.set(`${file.name} (file failed to run)`, (failures.get(file.name) ?? 0) + 1);
    }
    for (const test of file.assertionResults) {
      if (test.status === 'failed') failures.set(test.fullName, (failures.get(test.fullName) ?? 0) + 1);
    }
  }
}

if (times > 1 || failures.size > 0) {
  console.log(`\nFailures per test over ${times} run(s):`);
  if (failures.size === 0) console.log('  none');
  for (const [name, count] of [...failures].sort((a, b) => b[1] - a[1]))
    console.log(`  ${count}/${times}  ${name}`);
}
const skipped = (last?.numPendingTests ?? 0) + (last?.numTodoTests ?? 0);
console.log(`${last?.numPassedTests ?? 0} passed, ${last?.numFailedTests ?? 0} failed, ${skipped} skipped`);
process.exit(exitCode);
