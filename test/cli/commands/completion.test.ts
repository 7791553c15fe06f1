import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flagSpellings } from '../../../cli/command.js';
import { COMMANDS } from '../../../cli/command-table.js';
import { nowhere, wfe } from '../harness.js';

const hasShell = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;

describe('wfe completion', () => {
  let bashScript: string;
  beforeAll(async () => {
    const { dir } = await nowhere();
    const result = await wfe(['completion', 'bash'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, err: '' });
    bashScript = join(await mkdtemp(join(tmpdir(), 'wfe-completion-')), 'wfe.bash');
    await writeFile(bashScript, result.out);
  }, 60_000);

  /** What bash offers for the words typed so far (the last one being completed). */
  const offered = (...typed: string[]) => {
    const words = typed.map((w) => `'${w}'`).join(' ');
    const script = `source '${bashScript}'; COMP_WORDS=(wfe ${words}); COMP_CWORD=${typed.length}; _wfe; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    return result.stdout.split('\n').filter(Boolean);
  };

  it('writes a bash script that parses and lists every command and each command’s flags', async () => {
    expect(spawnSync('bash', ['-n', bashScript]).status).toBe(0);
    expect(offered('')).toEqual(
      expect.arrayContaining([
        'submit',
        'get',
        'list',
        'audit',
        'version',
        'completion',
        'help',
        '--version',
      ]),
    );
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const words = name.split(' ');
      if (words.length === 1) expect(offered(''), name).toContain(name);
      else expect(offered(words[0]!, ''), name).toContain(words[1]);
      const flags = flagSpellings((await entry.load()).options);
      expect(offered(...words, '-').sort(), name).toEqual([...flags, '--help', '-h'].sort());
    }
  }, 60_000);

  it('completes the word being typed: a command, a flag, a shell', () => {
    expect(offered('ge')).toEqual(['get']);
    expect(offered('audit', 'sh')).toEqual(['show']);
    expect(offered('get', 'default/x', '--st')).toEqual(['--stack']);
    expect(offered('completion', '')).toEqual(['bash', 'zsh']);
  });

  it.runIf(hasShell('zsh'))('writes a zsh script that parses', async () => {
    const { dir } = await nowhere();
    const script = join(dir, '_wfe');
    await writeFile(script, (await wfe(['completion', 'zsh'], { cwd: dir })).out);
    expect(spawnSync('zsh', ['-n', script]).status).toBe(0);
  });

  it('writes a zsh script naming every command and flag, and refuses other shells', async () => {
    const { dir } = await nowhere();
    const zsh = (await wfe(['completion', 'zsh'], { cwd: dir })).out;
    expect(zsh).toMatch(/^#compdef wfe\n/);
    for (const [name, entry] of Object.entries(COMMANDS))
      expect(zsh, name).toContain(
        `'${name}') compadd -- ${flagSpellings((await entry.load()).options).join(' ')}`,
      );
    expect(await wfe(['completion', 'fish'], { cwd: dir })).toEqual({
      code: 2,
      out: '',
      err: 'wfe completion: no completion for "fish": bash or zsh (see wfe completion --help)\n',
    });
  });
});
