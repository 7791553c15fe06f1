import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestFile } from './fixtures.js';
import { nowhere, wfe } from './harness.js';

const REASON = 'one two three four five six seven eight nine ten';

describe('finding the system', () => {
  it('fails every command with one line and exit 1 when no local system runs and AWS cannot be reached', async () => {
    const { dir, env } = await nowhere();
    const file = await manifestFile(dir, 'm.yaml', [{ name: 'we-nowhere' }]);
    for (const args of [
      ['submit', '-f', file],
      ['get', 'default/we-nowhere'],
      ['list'],
      ['locks'],
      ['release', 'default/Deployment/x', '--reason', REASON],
      ['audit', 'redrive'],
    ]) {
      const result = await wfe(args, { cwd: dir, env });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.out).toBe('');
      expect(result.err).toMatch(
        new RegExp(
          `^wfe ${args[0] === 'audit' ? 'audit redrive' : args[0]}: no system to talk to: no \`npm start\` \\(wfe dev\\) runs in this checkout, and the AWS stack "wfe" could not be read \\(.+\\)\\n$`,
        ),
      );
    }
  }, 60_000);

  it('ignores a dev.json whose process has gone', async () => {
    const { dir, env } = await nowhere();
    await mkdir(join(dir, '.wfe'));
    await writeFile(join(dir, '.wfe', 'dev.json'), JSON.stringify({ version: 1, pid: 2 ** 22 + 12345 }));
    const result = await wfe(['list'], { cwd: dir, env });
    expect(result.err).toMatch(/no system to talk to/);
  });

  it('answers unknown commands and bare invocations with usage', async () => {
    const { dir } = await nowhere();
    expect(await wfe(['frobnicate'], { cwd: dir })).toEqual({
      code: 2,
      out: '',
      err: 'wfe: unknown command "frobnicate" (see wfe --help)\n',
    });
    expect(await wfe(['audit', 'nothing'], { cwd: dir })).toMatchObject({ code: 2 });
    expect(await wfe(['--help'], { cwd: dir })).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^wfe: submit, inspect/),
    });
    expect((await wfe([], { cwd: dir })).code).toBe(2);
    expect(await wfe(['audit'], { cwd: dir })).toMatchObject({
      code: 2,
      out: expect.stringMatching(/^Usage: wfe audit <command>[\s\S]*redrive/),
    });
  });
});
