import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '../../fixtures/manifests.js';
import { eventually } from '../../local/aws/eventually.js';
import { manifestFile } from '../fixtures.js';
import { type CliSystem, startCliSystem } from '../harness.js';

describe('wfe submit', () => {
  let cli: CliSystem;
  beforeAll(async () => {
    cli = await startCliSystem();
  });
  afterAll(() => cli?.stop());

  const phaseOf = async (ref: string) => {
    const got = await cli.run(['get', ref, '-o', 'json']);
    return got.code === 0 ? (JSON.parse(got.out).status.phase as string) : undefined;
  };

  it('validates and sends every document of a multi-document YAML file, printing each identity', async () => {
    const file = await manifestFile(cli.dir, 'two.yaml', [
      { name: 'we-submit-a', namespace: 'team', target: 'team/Deployment/a' },
      { name: 'we-submit-b', namespace: 'team', target: 'team/Deployment/b' },
    ]);
    const result = await cli.run(['submit', '-f', file]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toBe('default/team/we-submit-a created\ndefault/team/we-submit-b created\n');
    // The first execution of a fresh local system: 8–10 s on a machine loaded by parallel suites.
    await eventually(async () => expect(await phaseOf('team/we-submit-b')).toBeDefined(), 30_000);
    expect(await phaseOf('team/we-submit-a')).toBeDefined();
  }, 60_000);

  it('says unchanged for a manifest already stored with the same spec', async () => {
    const file = await manifestFile(cli.dir, 'again.yaml', [
      { name: 'we-submit-again', target: 'default/Deployment/again' },
    ]);
    expect((await cli.run(['submit', '-f', file])).out).toBe('default/default/we-submit-again created\n');
    await eventually(async () => expect(await phaseOf('default/we-submit-again')).toBeDefined(), 10_000);
    expect(await cli.run(['submit', '-f', file])).toEqual({
      code: 0,
      out: 'default/default/we-submit-again unchanged\n',
      err: '',
    });
  });

  it('says conflict for a stored name with another spec, sends the rest of the file, and exits 1', async () => {
    const first = await manifestFile(cli.dir, 'first.yaml', [
      { name: 'we-submit-clash', target: 'default/Deployment/clash' },
    ]);
    await cli.run(['submit', '-f', first]);
    await eventually(async () => expect(await phaseOf('default/we-submit-clash')).toBeDefined(), 10_000);
    const second = await manifestFile(cli.dir, 'second.yaml', [
      { name: 'we-submit-clash', target: 'default/Deployment/other' },
      { name: 'we-submit-beside', target: 'default/Deployment/beside' },
    ]);
    const result = await cli.run(['submit', '-f', second]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('default/default/we-submit-beside created\n');
    expect(result.err).toBe(
      'wfe submit: default/default/we-submit-clash conflict: an execution of that name exists with another spec (not sent; use a new name for a new request)\n',
    );
    await eventually(async () => expect(await phaseOf('default/we-submit-beside')).toBeDefined(), 10_000);
    const stored = JSON.parse((await cli.run(['get', 'default/we-submit-clash', '-o', 'json'])).out);
    expect(stored.spec.targetResource).toBe('default/Deployment/clash');
    // Sent, it would have been refused into the dead-letter queue, which `wfe rejections` lists.
    expect((await cli.run(['rejections'])).out).not.toContain('we-submit-clash');
  });

  it('takes JSON (an array of manifests) and standard input', async () => {
    const file = await manifestFile(
      cli.dir,
      'one.json',
      [
        { name: 'we-submit-json', target: 'default/Deployment/json' },
        { name: 'we-submit-json2', target: 'default/Deployment/json2' },
      ],
      'json',
    );
    expect((await cli.run(['submit', '--file', file])).out).toContain(
      'default/default/we-submit-json2 created',
    );
    const stdin = JSON.stringify(manifest({ name: 'we-submit-stdin', target: 'default/Deployment/stdin' }));
    expect(await cli.run(['submit', '-f', '-'], { stdin })).toMatchObject({
      code: 0,
      out: 'default/default/we-submit-stdin created\n',
    });
  });

  it('refuses a file with an invalid document, naming it and the problem, and sends none of it', async () => {
    const file = await manifestFile(cli.dir, 'mixed.yaml', [
      { name: 'we-submit-never', target: 'default/Deployment/never' },
      { name: 'we-submit-bad', target: 'only-one-part' },
    ]);
    const result = await cli.run(['submit', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toMatch(
      /nothing was submitted: default\/we-submit-bad: spec\.targetResource: .*format/,
    );
    // A request sent after it is processed; had the valid one been sent, it would have been first.
    await cli.run([
      'submit',
      '-f',
      await manifestFile(cli.dir, 'marker.yaml', [
        { name: 'we-submit-marker', target: 'default/Deployment/m' },
      ]),
    ]);
    await eventually(async () => expect(await phaseOf('default/we-submit-marker')).toBeDefined(), 10_000);
    expect(await phaseOf('default/we-submit-never')).toBeUndefined();
  });

  it('says where a file is not valid YAML', async () => {
    const file = join(cli.dir, 'broken.yaml');
    await writeFile(file, 'apiVersion: kubernaut.ai/v1alpha1\nkind: [unclosed\n');
    const result = await cli.run(['submit', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^wfe submit: .*broken\.yaml line \d+ is not valid YAML or JSON/);
  });

  it('fails clearly on a missing file, an empty file, and no -f', async () => {
    expect(await cli.run(['submit', '-f', join(cli.dir, 'nope.yaml')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/cannot read .*nope\.yaml: ENOENT/),
    });
    const empty = join(cli.dir, 'empty.yaml');
    await writeFile(empty, '---\n');
    expect((await cli.run(['submit', '-f', empty])).err).toMatch(/holds no documents/);
    expect(await cli.run(['submit'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/-f FILE is required/),
    });
    expect(await cli.run(['submit', '-f', empty, '--bogus'])).toMatchObject({ code: 2 });
  });

  it('has --help', async () => {
    expect(await cli.run(['submit', '--help'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Usage: wfe submit -f FILE/),
    });
  });
});
