/**
 * execute against hostile input and lost races (SPEC WE-15, §6): every refusal leaves a reason.
 */
import { describe, expect, it } from 'vitest';
import { type ExecuteDeps, execute } from '../../functions/core/execute.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { oneCluster } from '../fakes/memory-system.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from '../fakes/recorders.js';
import { body } from '../fixtures/manifests.js';

function system() {
  const store = new MemoryStore();
  const queue = new RecordingQueue();
  const cluster = new MemoryCluster();
  const deps: ExecuteDeps = {
    store,
    clusters: () => cluster,
    queue,
    clock: fixedClock('2026-03-01T10:00:00Z'),
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    settings: {
      ...oneCluster('prod-eu'),
      serviceAccountName: 'kubernaut-workflow-runner',
      cooldownMs: 10_000,
      leaseMs: 15 * 60_000,
    },
  };
  return { store, queue, deps };
}

const invalid = (name: string, target: string) => body({ name, target });

describe('execute: a rejection that loses a race still leaves a record (WE-15)', () => {
  it('WE-15: an invalid request whose Failed write loses to a different request under its name is dead-lettered with the reason', async () => {
    const s = system();
    const other = system();
    await execute(invalid('we-bad', 'other/x'), other.deps);
    const winner = other.store.execution('default', 'we-bad')!;
    let raced = false;
    s.store.beforeWrite = () => {
      if (raced) return;
      raced = true;
      s.store.executions.set('prod-eu/default/we-bad', structuredClone(winner));
    };
    const outcome = await execute(invalid('we-bad', 'only-one-part'), s.deps);
    expect(outcome).toMatchObject({ kind: 'rejected', id: 'prod-eu/default/we-bad', deadLettered: true });
    expect(s.queue.deadLettered).toHaveLength(1);
    expect(s.queue.deadLettered[0]?.reason).toMatch(
      /already exists with a different spec; this request is also invalid: spec.targetResource: targetResource must be in format/,
    );
  });

  it('WE-15: an invalid request whose Failed write loses to its own redelivery finds that record and is done', async () => {
    const s = system();
    const request = invalid('we-bad', 'only-one-part');
    const twin = system();
    await execute(request, twin.deps);
    const recorded = twin.store.execution('default', 'we-bad')!;
    let raced = false;
    s.store.beforeWrite = () => {
      if (raced) return;
      raced = true;
      s.store.executions.set('prod-eu/default/we-bad', structuredClone(recorded));
    };
    expect(await execute(request, s.deps)).toEqual({
      kind: 'already-done',
      id: 'prod-eu/default/we-bad',
      phase: 'Failed',
    });
    expect(s.queue.deadLettered).toEqual([]);
    expect(s.store.execution('default', 'we-bad')?.status.failureDetails?.reason).toBe('ConfigurationError');
  });
});

describe('execute: requests too deep, not UTF-8 or at the size limit are refused with a reason (WE-15)', () => {
  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('WE-15: a request 5,000 levels deep is dead-lettered with its reason, kept for wfe rejections, with no recursion', async () => {
    const s = system();
    const request = `{"metadata":{"name":"we-deep"},"spec":${deep(5000)}}`;
    const outcome = await execute(request, s.deps);
    expect(outcome).toMatchObject({ kind: 'rejected', deadLettered: true });
    expect(s.queue.deadLettered[0]?.reason).toBe('request nests more than 32 levels deep; the limit is 32');
    expect(s.store.rejections).toEqual([
      {
        messageId: 'dead-letter-1',
        reason: 'request nests more than 32 levels deep; the limit is 32',
        bytes: Buffer.byteLength(request),
        at: '2026-03-01T10:00:00.000Z',
      },
    ]);
  });

  it('WE-15: brackets inside strings do not count as depth', async () => {
    const s = system();
    const outcome = await execute(body({ name: 'we-ok', parameters: { TEXT: '[[[['.repeat(100) } }), s.deps);
    expect(outcome).toMatchObject({ kind: 'started' });
  });

  it('WE-15: a body that is not UTF-8 (a lone surrogate) is refused with a reason', async () => {
    const s = system();
    const outcome = await execute(`{"metadata":{"name":"we-x"},"a":"\ud800"}`, s.deps);
    expect(outcome).toMatchObject({ kind: 'rejected', deadLettered: true });
    expect(s.store.rejections[0]?.reason).toBe('request body is not valid UTF-8 (character 33)');
  });

  it('WE-15: every dead letter leaves its reason in the table, the conflict one included', async () => {
    const s = system();
    await execute(body({ name: 'we-1' }), s.deps);
    await execute(body({ name: 'we-1', target: 'default/deployment/other' }), s.deps);
    expect(s.store.rejections.map((r) => r.reason)).toEqual([
      'execution prod-eu/default/we-1 already exists with a different spec; use a new name for a new request',
    ]);
  });

  it("WE-16/WE-15: an invalid request's cluster label is its cluster only when it could name one; a hostile one leaves the rejection under the default cluster", async () => {
    const s = system();
    const huge = 'x'.repeat(100_000);
    await execute(
      body({ name: 'we-huge', target: 'no-slashes', labels: { 'kubernaut.ai/cluster': huge } }),
      s.deps,
    );
    await execute(
      body({ name: 'we-west', target: 'no-slashes', labels: { 'kubernaut.ai/cluster': 'west' } }),
      s.deps,
    );
    const recorded = [...s.store.executions.values()];
    expect(recorded.map((e) => [e.id.cluster, e.id.name, e.status.phase])).toEqual([
      ['prod-eu', 'we-huge', 'Failed'],
      ['west', 'we-west', 'Failed'],
    ]);
    expect(JSON.stringify(recorded[0]?.id)).not.toContain(huge);
  });
});
