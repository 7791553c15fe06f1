import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../local/aws/eventually.js';
import { manifestFile } from '../fixtures.js';
import { type CliSystem, nowhere, startCliSystem, wfe } from '../harness.js';

const REASON = 'the payment team must roll out an urgent hotfix to this deployment right now';

describe('wfe release', () => {
  let cli: CliSystem;
  beforeAll(async () => {
    cli = await startCliSystem({ COOLDOWN_PERIOD: '10m' });
  });
  afterAll(() => cli?.stop());

  const json = async (args: string[]) => JSON.parse((await cli.run([...args, '-o', 'json'])).out || '{}');
  const auditTrail = async (correlationId: string) => {
    const url = new URL(`/api/v1/audit/events?correlation_id=${correlationId}`, cli.system.dataStorage?.url);
    return ((await (await fetch(url)).json()) as { data: Record<string, unknown>[] }).data;
  };
  const runsIn = (namespace: string) =>
    cli.system.kubeApi?.store.list('pipelineruns', namespace).map((o) => o.metadata.name) ?? [];

  it('refuses a reason under ten words, before looking for any system', async () => {
    const { dir, env } = await nowhere();
    const result = await wfe(['release', 'payment/Deployment/api', '--reason', 'urgent hotfix needed'], {
      cwd: dir,
      env,
    });
    expect(result).toEqual({
      code: 1,
      out: '',
      err: 'wfe release: refused: a forced release needs a reason of at least 10 words for the audit trail (got 3): say why this lock must go now\n',
    });
  });

  it('releases a cooling lock, deletes the holder’s run, and audits who and why', async () => {
    await cli.run([
      'submit',
      '-f',
      await manifestFile(cli.dir, 'cooling.yaml', [
        { name: 'we-release-cool', namespace: 'payment', target: 'payment/Deployment/api' },
      ]),
    ]);
    await eventually(async () => expect((await json(['locks'])).items?.[0]?.state).toBe('cooling'), 15_000);
    const before = await json(['get', 'payment/we-release-cool']);
    expect(runsIn('kubernaut-workflows')).toContain(before.status.pipelineRunRef.name);

    const result = await cli.run(['release', 'payment/Deployment/api', '--reason', REASON]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /^lock on payment\/Deployment\/api released \(holder default\/payment\/we-release-cool, cooling\); its PipelineRun was deleted; audited as workflow\.lock_force_released by \S+\n$/,
    );

    expect((await json(['locks'])).items).toEqual([]);
    expect(runsIn('kubernaut-workflows')).not.toContain(before.status.pipelineRunRef.name);
    const after = await json(['get', 'payment/we-release-cool']);
    const released = after.status.conditions.find((c: { type: string }) => c.type === 'LockReleased');
    expect(released).toMatchObject({ status: 'True', message: expect.stringContaining(REASON) });
    await eventually(async () => {
      const event = (await auditTrail('we-release-cool')).find(
        (e) => e.event_type === 'workflow.lock_force_released',
      );
      expect(event).toMatchObject({
        actor_type: 'user',
        resource_id: 'we-release-cool',
        event_data: { reason: REASON, released_by: expect.any(String), pipelinerun_deleted: true },
      });
    }, 10_000);
  }, 30_000);

  it('takes the run from a holder still running, which then ends Failed at the next reconcile', async () => {
    await cli.run([
      'submit',
      '-f',
      await manifestFile(cli.dir, 'running.yaml', [
        {
          name: 'we-release-run',
          namespace: 'payment',
          target: 'payment/Deployment/worker',
          parameters: { WFE_SIMULATE: 'hang' },
        },
      ]),
    ]);
    await eventually(
      async () => expect((await json(['get', 'payment/we-release-run'])).status?.phase).toBe('Running'),
      15_000,
    );
    const result = await cli.run(['release', 'payment/Deployment/worker', '--reason', REASON]);
    // The lock is released as it last read it: running, or, when a reconcile tick saw the run gone
    // between release's delete and its write, already cooling (release then reads it again and
    // releases that; the run still counts as deleted by it).
    expect(result.out).toMatch(
      /holder default\/payment\/we-release-run, (running|cooling)\); its PipelineRun was deleted/,
    );
    expect((await json(['locks'])).items).toEqual([]);
    await eventually(async () => {
      const status = (await json(['get', 'payment/we-release-run'])).status;
      expect(status.phase).toBe('Failed');
      expect(status.failureDetails.message).toMatch(/deleted externally/);
      expect(status.conditions.find((c: { type: string }) => c.type === 'LockReleased')).toMatchObject({
        status: 'True',
        message: expect.stringContaining(REASON),
      });
    }, 10_000);
  }, 30_000);

  it('fails with one line when the target holds no lock, or the reason is missing', async () => {
    expect(await cli.run(['release', 'payment/Deployment/none', '--reason', REASON])).toMatchObject({
      code: 1,
      err: `wfe release: no lock on payment/Deployment/none in the local system (wfe dev, pid ${process.pid})\n`,
    });
    expect(await cli.run(['release', 'payment/Deployment/none'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--reason TEXT is required/),
    });
    expect((await cli.run(['release', '--reason', REASON])).code).toBe(2);
  });

  it('has --help', async () => {
    expect((await cli.run(['release', '--help'])).out).toMatch(/^Usage: wfe release TARGET --reason TEXT/);
  });
});
