import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../cli/command-table.js';
import { nowhere, wfe } from '../harness.js';

describe('wfe help, unknown commands and flags', () => {
  it("prints a command's own help for `wfe help CMD`, the same as `wfe CMD --help`", async () => {
    const { dir } = await nowhere();
    for (const name of Object.keys(COMMANDS)) {
      const words = name.split(' ');
      const viaHelp = await wfe(['help', ...words], { cwd: dir });
      expect(viaHelp, name).toMatchObject({ code: 0, err: '' });
      expect(viaHelp.out).toMatch(new RegExp(`^Usage: wfe ${name}`));
      expect((await wfe([...words, '--help'], { cwd: dir })).out).toBe(viaHelp.out);
    }
    expect(await wfe(['help'], { cwd: dir })).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^wfe: submit/),
    });
    expect((await wfe(['help', 'audit'], { cwd: dir })).out).toMatch(
      /^Usage: wfe audit <command>[\s\S]*show[\s\S]*redrive/,
    );
    expect(await wfe(['help', 'gett'], { cwd: dir })).toEqual({
      code: 2,
      out: '',
      err: 'wfe help: no command "gett"; did you mean get? (see wfe --help)\n',
    });
  }, 60_000);

  it('names the closest known flag for an unknown one, and no guess for a flag like none', async () => {
    const { dir } = await nowhere();
    expect(await wfe(['get', 'default/x', '--stak', 'prod'], { cwd: dir })).toEqual({
      code: 2,
      out: '',
      err: 'wfe get: unknown flag --stak; did you mean --stack? (see wfe get --help)\n',
    });
    expect((await wfe(['list', '--phse=Running'], { cwd: dir })).err).toBe(
      'wfe list: unknown flag --phse; did you mean --phase? (see wfe list --help)\n',
    );
    expect((await wfe(['audit', 'redrive', '-x'], { cwd: dir })).err).toBe(
      'wfe audit redrive: unknown flag -x (see wfe audit redrive --help)\n',
    );
    expect((await wfe(['release', 'a/b/c', '--frobnicate-everything'], { cwd: dir })).err).toBe(
      'wfe release: unknown flag --frobnicate-everything (see wfe release --help)\n',
    );
  });

  it('suggests the closest command for a misspelt one', async () => {
    const { dir } = await nowhere();
    expect(await wfe(['lsit'], { cwd: dir })).toEqual({
      code: 2,
      out: '',
      err: 'wfe: unknown command "lsit"; did you mean list? (see wfe --help)\n',
    });
    expect((await wfe(['audit', 'shwo'], { cwd: dir })).err).toBe(
      'wfe: unknown command "audit shwo"; did you mean audit show? (see wfe --help)\n',
    );
  });
});

describe('wfe version', () => {
  it('prints the package version, the commit and the Node.js version, also as --version', async () => {
    const { dir } = await nowhere();
    const result = await wfe(['version'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(
      /^wfe 0\.1\.0\nsources at commit ([0-9a-f]{12}|unknown)\nnode v\d+\.\d+\.\d+\n$/,
    );
    expect(result.out).toContain(`node ${process.version}\n`);
    expect(await wfe(['--version'], { cwd: dir })).toEqual(result);
  });
});
