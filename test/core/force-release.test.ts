/**
 * WE-12: `wfe release`'s core against the memory ports, for the interleavings the CLI tests can only
 * meet by chance (a reconcile tick between release's run delete and its write was seen once in 15
 * whole-suite runs).
 */
import { describe, expect, it } from 'vitest';
import { forceRelease } from '../../functions/core/force-release.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import { memorySystem, NAMESPACE as NS } from '../fakes/memory-system.js';
import { body } from '../fixtures/manifests.js';

const TARGET = 'payment/deployment/worker';
const RUN = pipelineRunName(TARGET);
const LOCK = `default#${TARGET}`;
const REASON = 'the payment team must roll out an urgent hotfix to this deployment right now';

async function runningHolder() {
  const s = memorySystem({ settings: { cooldownMs: 10 * 60_000 } });
  await s.execute(body({ name: 'we-1', target: TARGET }));
  return { ...s, deps: s.releaseDeps, tick: () => s.reconcile() };
}

const request = { lockKey: LOCK, reason: REASON, releasedBy: 'alice' };

describe('forceRelease (WE-12)', () => {
  it('releases a running holder’s lock and deletes its run; the next tick ends the holder Failed', async () => {
    const s = await runningHolder();
    expect(await forceRelease(request, s.deps)).toMatchObject({
      kind: 'released',
      run: 'deleted',
      lock: { state: 'running' },
    });
    expect(s.store.locks.has(LOCK)).toBe(false);
    expect(s.cluster.run(NS, RUN)).toBeUndefined();
    await s.tick();
    const holder = s.store.execution('default', 'we-1')!;
    expect(holder.status.phase).toBe('Failed');
    // Its end finds no lock of its own to cool: the target stays free.
    expect(s.store.locks.has(LOCK)).toBe(false);
  });

  it('a tick that ends the holder between the run delete and the write: the lock is read again and released as cooling, the run still counted as deleted', async () => {
    const s = await runningHolder();
    const deleteRun = s.cluster.deletePipelineRun.bind(s.cluster);
    s.cluster.deletePipelineRun = async (...args) => {
      const outcome = await deleteRun(...args);
      if (outcome === 'deleted') await s.tick(); // reconcile sees the run gone: Failed, lock cooling
      return outcome;
    };
    const outcome = await forceRelease(request, s.deps);
    expect(outcome).toMatchObject({ kind: 'released', run: 'deleted', lock: { state: 'cooling' } });
    expect(s.store.locks.has(LOCK)).toBe(false);
    const holder = s.store.execution('default', 'we-1')!;
    expect(holder.status.phase).toBe('Failed');
    expect(holder.status.failureDetails?.message).toBe('PipelineRun was deleted externally');
    expect(holder.status.conditions.LockReleased).toMatchObject({
      status: 'True',
      message: expect.stringContaining(REASON),
    });
    const audited = s.store.audit.map((e) => e.event_type);
    expect(audited.filter((t) => t === 'workflow.failed')).toHaveLength(1);
    const released = s.store.audit.filter((e) => e.event_type === 'workflow.lock_force_released');
    expect(released).toHaveLength(1);
    expect(released[0]!.event_data).toMatchObject({
      lock_state: 'cooling',
      pipelinerun_deleted: true,
      released_by: 'alice',
      reason: REASON,
    });
  });

  it('stops and says so when the lock is rewritten under it at every round; nothing released or audited', async () => {
    const s = await runningHolder();
    let attempts = 0;
    s.store.beforeWrite = (change) => {
      if (change.lock?.op !== 'delete') return;
      attempts++;
      const lock = s.store.locks.get(LOCK)!;
      s.store.locks.set(LOCK, { ...lock, version: lock.version + 1 });
    };
    expect(await forceRelease(request, s.deps)).toEqual({ kind: 'contended', rounds: 5 });
    expect(attempts).toBe(5);
    expect(s.store.locks.has(LOCK)).toBe(true);
    expect(s.store.audit.some((e) => e.event_type === 'workflow.lock_force_released')).toBe(false);
  });

  it('never deletes a run that is not the holder’s', async () => {
    const s = await runningHolder();
    s.cluster.update(NS, RUN, { labels: { 'kubernaut.ai/workflow-execution': 'someone-else' } });
    expect(await forceRelease(request, s.deps)).toMatchObject({ kind: 'released', run: 'not-owner' });
    expect(s.cluster.run(NS, RUN)).toBeDefined();
    const [event] = s.store.audit.filter((e) => e.event_type === 'workflow.lock_force_released');
    expect(event!.event_data).toMatchObject({ pipelinerun_deleted: false });
  });

  it('refuses a reason under ten words and touches nothing', async () => {
    const s = await runningHolder();
    const writes = s.store.counts.writes;
    expect(await forceRelease({ ...request, reason: 'urgent hotfix needed' }, s.deps)).toMatchObject({
      kind: 'refused',
    });
    expect(s.store.counts.writes).toBe(writes);
    expect(s.cluster.calls).not.toContain('delete');
  });

  it('refuses a reason of nine words and releases on ten, however they are spaced', async () => {
    const s = await runningHolder();
    const nine = '  the payment team must roll out an urgent\thotfix ';
    expect(await forceRelease({ ...request, reason: nine }, s.deps)).toEqual({
      kind: 'refused',
      reason:
        'a forced release needs a reason of at least 10 words for the audit trail (got 9): say why this lock must go now',
    });
    expect(await s.store.readLock(LOCK)).toBeDefined();
    expect(await forceRelease({ ...request, reason: `${nine} now` }, s.deps)).toMatchObject({
      kind: 'released',
    });
  });

  it('a reason of spaces alone is no words at all', async () => {
    const s = await runningHolder();
    expect(await forceRelease({ ...request, reason: ' \t ' }, s.deps)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('(got 0)'),
    });
  });

  it('says on the holder who released the lock and why', async () => {
    const s = await runningHolder();
    await forceRelease(request, s.deps);
    expect(s.store.execution('default', 'we-1')!.status.conditions.LockReleased).toMatchObject({
      status: 'True',
      message: `Lock on ${TARGET} force-released by alice: ${REASON}`,
    });
  });

  it('a holder whose record is gone: the lock is still released, and the audit record names the holder with what the lock knows', async () => {
    const s = await runningHolder();
    s.store.executions.delete('default/default/we-1');
    expect(await forceRelease(request, s.deps)).toMatchObject({ kind: 'released', run: 'deleted' });
    expect(s.store.locks.has(LOCK)).toBe(false);
    const [event] = s.store.audit.filter((e) => e.event_type === 'workflow.lock_force_released');
    expect(event).toMatchObject({
      actor_type: 'user',
      actor_id: 'alice',
      resource_id: 'we-1',
      namespace: 'default',
      event_data: {
        execution_name: 'we-1',
        target_resource: TARGET,
        phase: 'Unknown',
        lock_state: 'running',
        pipelinerun_name: RUN,
        pipelinerun_deleted: true,
        released_by: 'alice',
        reason: REASON,
      },
    });
  });

  it('a lock that is already gone: says so and touches nothing', async () => {
    const s = await runningHolder();
    s.store.locks.delete(LOCK);
    const writes = s.store.counts.writes;
    expect(await forceRelease(request, s.deps)).toEqual({ kind: 'no-lock' });
    expect(s.store.counts.writes).toBe(writes);
    expect(s.cluster.run(NS, RUN)).toBeDefined();
  });
});
