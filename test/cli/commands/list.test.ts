import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../local/aws/eventually.js';
import { manifestFile } from '../fixtures.js';
import { type CliSystem, startCliSystem } from '../harness.js';

describe('wfe list', () => {
  let cli: CliSystem;
  beforeAll(async () => {
    cli = await startCliSystem();
  });
  afterAll(() => cli?.stop());

  it('says so when there is nothing to list', async () => {
    expect(await cli.run(['list', '-A'])).toEqual({ code: 0, out: '', err: 'No executions found.\n' });
  });

  it('lists executions in a kubectl-like table, filtered by phase and target', async () => {
    await cli.run([
      'submit',
      '-f',
      await manifestFile(cli.dir, 'list.yaml', [
        { name: 'we-list-ok', namespace: 'ops', target: 'ops/Deployment/one' },
        {
          name: 'we-list-fail',
          namespace: 'ops',
          target: 'ops/Deployment/two',
          parameters: { WFE_SIMULATE: 'fail' },
        },
      ]),
    ]);
    await eventually(async () => {
      const { out } = await cli.run(['list', '-A']);
      expect(out).toMatch(/we-list-ok\s+Completed/);
      expect(out).toMatch(/we-list-fail\s+Failed/);
    }, 15_000);
    const lines = (await cli.run(['list', '-A'])).out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+NAMESPACE\s+NAME\s+PHASE\s+TARGET\s+WORKFLOW\s+DURATION\s+AGE$/);
    expect(lines).toHaveLength(3);

    const failed = (await cli.run(['list', '-A', '--phase', 'Failed'])).out;
    expect(failed).toContain('we-list-fail');
    expect(failed).not.toContain('we-list-ok');
    const byTarget = (await cli.run(['list', '-A', '--target', 'ops/Deployment/one'])).out;
    expect(byTarget).toContain('we-list-ok');
    expect(byTarget).not.toContain('we-list-fail');
    expect((await cli.run(['list', '-A', '-o', 'wide', '--phase', 'Failed'])).out).toMatch(
      /REASON[\s\S]*TaskFailed/,
    );
  });

  it('prints a List for -o json', async () => {
    const list = JSON.parse((await cli.run(['list', '-A', '-o', 'json'])).out);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual([
      'we-list-fail',
      'we-list-ok',
    ]);
  });

  it('refuses an unknown phase or argument', async () => {
    expect(await cli.run(['list', '-A', '--phase', 'Done'])).toMatchObject({
      code: 2,
      err: 'wfe list: --phase must be one of Pending, Running, Completed, Failed, got "Done"\n',
    });
    expect(await cli.run(['list', '-A', 'extra'])).toMatchObject({ code: 2 });
  });

  it('has --help', async () => {
    expect((await cli.run(['list', '--help'])).out).toMatch(/^Usage: wfe list/);
  });
});
