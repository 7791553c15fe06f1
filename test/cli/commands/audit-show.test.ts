import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../local/aws/eventually.js';
import { manifestFile } from '../fixtures.js';
import { type CliSystem, startCliSystem } from '../harness.js';

describe('wfe audit show', () => {
  let cli: CliSystem;
  beforeAll(async () => {
    cli = await startCliSystem();
  });
  afterAll(() => cli?.stop());

  const rowsOf = (out: string) =>
    out
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s{3,}/));

  /** Submits executions and waits until DataStorage holds `events` events under `correlation`. */
  async function completed(docs: { name: string; target: string; labels?: Record<string, string> }[]) {
    await cli.run(['submit', '-f', await manifestFile(cli.dir, `${docs[0]!.name}.yaml`, docs)]);
    for (const { name } of docs)
      await eventually(async () => {
        const shown = await cli.run(['audit', 'show', `default/${name}`]);
        expect(shown.out).toContain('workflow.completed');
      }, 20_000);
  }

  it("shows an execution's trail oldest first, leaving out another execution under the same correlation id", async () => {
    const labels = { 'kubernaut.ai/correlation-id': 'rr-shared' };
    await completed([
      { name: 'we-trail', target: 'default/Deployment/trail', labels },
      { name: 'we-trail-other', target: 'default/Deployment/trail-other', labels },
    ]);
    const shown = await cli.run(['audit', 'show', 'default/we-trail']);
    expect(shown).toMatchObject({ code: 0, err: '' });
    expect(shown.out.split('\n')[0]).toMatch(/^#\s+TIME\s+EVENT\s+OUTCOME\s+PHASE\s+ACTOR\s+NOTE$/);
    const rows = rowsOf(shown.out);
    expect(rows.map((r) => [r[0], r[2], r[3], r[4]])).toEqual([
      ['1', 'workflow.started', 'success', 'Running'],
      ['2', 'workflow.completed', 'success', 'Completed'],
    ]);
    expect(rows[0]![5]).toBe('service/workflowexecution-controller');
    const json = JSON.parse((await cli.run(['audit', 'show', 'default/we-trail', '-o', 'json'])).out);
    expect(json.items.map((e: { event_type: string }) => e.event_type)).toEqual([
      'workflow.started',
      'workflow.completed',
    ]);
    expect(json.items.every((e: { resource_id: string }) => e.resource_id === 'we-trail')).toBe(true);
    expect(json.items[0].correlation_id).toBe('rr-shared');
  }, 60_000);

  it('marks an event stored twice as a duplicate of the first copy', async () => {
    await completed([{ name: 'we-twice', target: 'default/Deployment/twice' }]);
    const stored = JSON.parse((await cli.run(['audit', 'show', 'default/we-twice', '-o', 'json'])).out)
      .items[0];
    // A redelivery: the same request stored again under a new event id.
    const { event_id: _id, event_date: _date, retention_days: _days, ...request } = stored;
    const response = await fetch(new URL('/api/v1/audit/events/batch', cli.system.dataStorage!.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([request]),
    });
    expect(response.status).toBe(201);
    const rows = rowsOf((await cli.run(['audit', 'show', 'default/we-twice'])).out);
    expect(rows.map((r) => [r[2], r.at(6) ?? ''])).toEqual([
      ['workflow.started', ''],
      ['workflow.started', 'duplicate of #1'],
      ['workflow.completed', ''],
    ]);
    const items = JSON.parse(
      (await cli.run(['audit', 'show', 'default/we-twice', '-o', 'yaml', '-o', 'json'])).out,
    ).items;
    // Two copies with one timestamp: DataStorage's ids (random) order them, so either may come first;
    // the one after names the one before, and the stored copy is one of the two.
    expect(items[1].duplicateOf).toBe(items[0].event_id);
    expect([items[0].event_id, items[1].event_id]).toContain(stored.event_id);
    expect(items[0].duplicateOf).toBeUndefined();
  }, 60_000);

  it('says so for an execution with no trail, and fails for one unknown to the table and DataStorage', async () => {
    expect(await cli.run(['audit', 'show', 'default/we-never'])).toEqual({
      code: 1,
      out: '',
      err: 'wfe audit show: workflowexecution default/default/we-never not found, and DataStorage holds no audit events for it\n',
    });
    expect(await cli.run(['audit', 'show'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/NAMESPACE\/NAME is required/),
    });
  });
});
