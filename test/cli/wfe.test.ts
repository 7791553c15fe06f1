import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/command-table.js';

const BIN = fileURLToPath(new URL('../../bin/wfe.mjs', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });

describe('bin/wfe.mjs', () => {
  it('runs (the build when it is up to date, else the sources through tsx) with help on every command', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(top.stdout).toContain(`  ${name}`);
    for (const command of Object.keys(COMMANDS).map((name) => name.split(' '))) {
      const help = run([...command, '--help']);
      expect(help.status, command.join(' ')).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: wfe ${command.join(' ')}`));
    }
  }, 60_000);

  it('exits non-zero with one line on stderr', () => {
    const result = run(['get']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('wfe get: NAMESPACE/NAME is required (see wfe get --help)\n');
  });
});
