/**
 * execute against hostile input and lost races (SPEC WE-15, §6): every refusal leaves a reason.
 */
import { describe, expect, it } from 'vitest';
import { type ExecuteDeps, execute } from '../../functions/core/execute.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from '../fakes/recorders.js';
import { body } from '../fixtures/manifests.js';

function system() {
  const store = new MemoryStore();
  const queue = new RecordingQueue();
  const deps: ExecuteDeps = {
    store,
    cluster: new MemoryCluster(),
    queue,
    clock: fixedClock('2026-03-01T10:00:00Z'),
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    settings: {
      namespace: 'kubernaut-workflows',
      serviceAccountName: 'kubernaut-workflow-runner',
      clusterName: 'prod-eu',
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
      s.store.executions.set('default/we-bad', structuredClone(winner));
    };
    const outcome = await execute(invalid('we-bad', 'only-one-part'), s.deps);
    expect(outcome).toMatchObject({ kind: 'rejected', id: 'default/we-bad', deadLettered: true });
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
      s.store.executions.set('default/we-bad', structuredClone(recorded));
    };
    expect(await execute(request, s.deps)).toEqual({
      kind: 'already-done',
      id: 'default/we-bad',
      phase: 'Failed',
    });
    expect(s.queue.deadLettered).toEqual([]);
    expect(s.store.execution('default', 'we-bad')?.status.failureDetails?.reason).toBe('ConfigurationError');
  });
});
