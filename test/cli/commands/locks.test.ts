import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../local/aws/eventually.js';
import { manifestFile } from '../fixtures.js';
import { type CliSystem, startCliSystem } from '../harness.js';

describe('wfe locks', () => {
  let cli: CliSystem;
  beforeAll(async () => {
    cli = await startCliSystem({ COOLDOWN_PERIOD: '5m' });
  });
  afterAll(() => cli?.stop());

  it('says so when no lock is held', async () => {
    expect(await cli.run(['locks'])).toEqual({ code: 0, out: '', err: 'No locks held.\n' });
  });

  it('shows each lock with its target, holder, state and release time', async () => {
    await cli.run([
      'submit',
      '-f',
      await manifestFile(cli.dir, 'lock.yaml', [
        { name: 'we-locks', namespace: 'db', target: 'db/StatefulSet/pg' },
      ]),
    ]);
    await eventually(async () => expect((await cli.run(['locks'])).out).toMatch(/cooling/), 15_000);
    const [header, row] = (await cli.run(['locks'])).out.split('\n');
    expect(header).toMatch(/^CLUSTER\s+TARGET\s+HOLDER\s+STATE\s+RELEASE\s+AGE$/);
    expect(row).toMatch(
      /^default\s+db\/StatefulSet\/pg\s+default\/db\/we-locks\s+cooling\s+\d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+s\)\s+\d+s$/,
    );
    expect((await cli.run(['locks', '-o', 'wide'])).out).toMatch(
      /^CLUSTER\s+TARGET\s+HOLDER\s+STATE\s+RELEASE\s+AGE\s+PIPELINERUN\s+TOKEN\ndefault\s+db\/StatefulSet\/pg\s[^\n]*\swfe-[0-9a-f]{16}\s+\d+\n$/,
    );
  });

  it('prints the locks as JSON (-o json)', async () => {
    const { items } = JSON.parse((await cli.run(['locks', '-o', 'json'])).out);
    expect(items).toEqual([
      expect.objectContaining({
        target: 'db/StatefulSet/pg',
        holder: 'default/db/we-locks',
        state: 'cooling',
        cluster: 'default',
      }),
    ]);
  });

  it('has --help, and refuses arguments', async () => {
    expect((await cli.run(['locks', '--help'])).out).toMatch(/^Usage: wfe locks/);
    expect((await cli.run(['locks', 'x'])).code).toBe(2);
  });
});
