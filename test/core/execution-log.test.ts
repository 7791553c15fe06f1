import { describe, expect, it } from 'vitest';
import { execute } from '../../functions/core/execute.js';
import { executionLogKeys, loggingTransitions } from '../../functions/core/execution-log.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import { reconcile } from '../../functions/core/reconcile.js';
import { memorySystem, NAMESPACE as NS } from '../fakes/memory-system.js';
import { RecordingLog } from '../fakes/recorders.js';
import { body, manifest } from '../fixtures/manifests.js';

const TARGET = 'default/deployment/test-app';
const LOCK = `default#${TARGET}`;
const KEYS = {
  executionId: 'default/default/we-1',
  cluster: 'default',
  target: TARGET,
  correlationId: 'rr-1',
};

/** The memory system with each step given its own transition log, as each invocation has its own. */
function system() {
  const s = memorySystem();
  const log = new RecordingLog();
  const logged = () => ({ store: loggingTransitions(s.store, log), log });
  return {
    ...s,
    log,
    start: (name = 'we-1', target = TARGET) =>
      execute(body({ name, target, remediationRequest: 'rr-1' }), { ...s.executeDeps, ...logged() }),
    tick: () => reconcile({ ...s.reconcileDeps, ...logged() }),
    transitions: () =>
      log.lines.filter((l) => l.message === 'execution phase changed' || l.message === 'lock state changed'),
  };
}

describe('WE-12 logs: the execution keys', () => {
  it('are the execution id, its target and the correlation id its audit trail is filed under', () => {
    const of = (o: Parameters<typeof manifest>[0]) => {
      const m = manifest(o) as unknown as Parameters<typeof executionLogKeys>[0]['manifest'];
      return executionLogKeys({
        id: { cluster: 'default', namespace: 'default', name: 'we-1' },
        target: TARGET,
        manifest: m,
      });
    };
    expect(of({ name: 'we-1', remediationRequest: 'rr-1' })).toEqual(KEYS);
    expect(
      of({ name: 'we-1', remediationRequest: 'rr-1', labels: { 'kubernaut.ai/correlation-id': 'c-9' } }),
    ).toMatchObject({ correlationId: 'c-9' });
    expect(of({ name: 'we-1' })).toMatchObject({ correlationId: 'we-1' });
  });
});

describe('WE-12 logs: one line per transition, where state is written', () => {
  it('logs an execution from Pending to Completed and its lock from acquired to released, each once, with from and to', async () => {
    const s = system();
    await s.start();
    const run = pipelineRunName(TARGET);
    s.clock.advance(30_000);
    s.cluster.update(NS, run, {
      startTime: '2026-03-01T10:00:01Z',
      completionTime: '2026-03-01T10:00:30Z',
      succeeded: { status: 'True', reason: 'Succeeded', message: 'done' },
    });
    await s.tick();
    s.clock.advance(10_000);
    await s.tick();
    await s.tick(); // nothing left to move: no line

    expect(s.transitions().map((l) => [l.message, l.fields?.from, l.fields?.to])).toEqual([
      ['execution phase changed', undefined, 'Pending'],
      ['lock state changed', undefined, 'acquired'],
      ['execution phase changed', 'Pending', 'Running'],
      ['lock state changed', 'acquired', 'running'],
      ['execution phase changed', 'Running', 'Completed'],
      ['lock state changed', 'running', 'cooling'],
      ['lock state changed', 'cooling', 'released'],
    ]);
    for (const line of s.transitions()) expect(line.fields).toMatchObject(KEYS);
    for (const line of s.transitions().filter((l) => l.message === 'lock state changed'))
      expect(line.fields?.lock).toBe(LOCK);
  });

  it('names the failure reason on a move to Failed', async () => {
    const s = system();
    await s.start('we-1');
    await s.start('we-2'); // the target is busy: Failed, Deduplicated
    expect(s.transitions()).toContainEqual(
      expect.objectContaining({
        fields: expect.objectContaining({
          executionId: 'default/default/we-2',
          to: 'Failed',
          reason: 'Deduplicated',
        }),
      }),
    );
  });

  it('logs nothing for a write that keeps the phase, nor for a write that lost', async () => {
    const s = system();
    await s.start();
    const before = s.transitions().length;
    const run = pipelineRunName(TARGET);
    s.cluster.update(NS, run, {
      startTime: '2026-03-01T10:00:01Z',
      succeeded: { status: 'Unknown', reason: 'Running', message: 'Tasks Completed: 1 (Failed: 0)' },
    });
    await s.tick(); // the run's progress is written: still Running
    expect(s.transitions()).toHaveLength(before);

    const store = loggingTransitions(s.store, s.log);
    const execution = (await store.read({ cluster: 'default', namespace: 'default', name: 'we-1' }))!;
    const stale = { ...execution, status: { ...execution.status, phase: 'Failed' as const } };
    expect(
      await store.write({ executions: [{ next: stale, expectVersion: execution.version - 1 }] }),
    ).toEqual({ ok: false, conflict: 'execution' });
    expect(s.transitions()).toHaveLength(before);
  });
});
