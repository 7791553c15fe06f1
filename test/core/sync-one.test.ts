/**
 * WE-13 in the core: the event path (a Tekton event names a run, a timer names a lock) does only
 * what the sweep would, sooner. Each test prints its figures.
 */
import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { execute } from '../../functions/core/execute.js';
import { MAX_TIMER_DELAY_SECONDS, timerFor } from '../../functions/core/lock-timer.js';
import { Label, pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { RunHint, RunState } from '../../functions/core/ports.js';
import { type ReconcileDeps, reconcile } from '../../functions/core/reconcile.js';
import {
  batchOfEvents,
  fireLockTimer,
  handleEventMessage,
  MAX_RECHECKS,
  parseEventMessage,
} from '../../functions/core/sync-one.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { oneCluster } from '../fakes/memory-system.js';
import {
  RecordingEvents,
  RecordingLog,
  RecordingMetrics,
  RecordingQueue,
  RecordingTimers,
} from '../fakes/recorders.js';
import { body } from '../fixtures/manifests.js';

const NS = 'kubernaut-workflows';
const TARGET = 'default/deployment/test-app';
const RUN = pipelineRunName(TARGET);
const LOCK = `default#${TARGET}`;
const COOLDOWN = 10_000;

function system(cooldownMs = COOLDOWN) {
  const store = new MemoryStore();
  const cluster = new MemoryCluster();
  const metrics = new RecordingMetrics();
  const clock = fixedClock('2026-03-01T10:00:00Z');
  const log = new RecordingLog();
  const timers = new RecordingTimers();
  const events = new RecordingEvents();
  const settings = { ...oneCluster(), cooldownMs, leaseMs: 15 * 60_000 };
  const deps: ReconcileDeps = {
    store,
    clusters: () => cluster,
    clock,
    metrics,
    log,
    settings,
    timers,
    budget: { pageSize: 25, maxItems: 1000, timeLeftMs: () => 60_000 },
  };
  const queue = new RecordingQueue();
  const start = (name: string, target = TARGET) =>
    execute(body({ name, target }), {
      store,
      clusters: () => cluster,
      clock,
      metrics,
      log,
      queue,
      timers,
      settings: { ...settings, serviceAccountName: 'kubernaut-workflow-runner' },
    });
  const hint = (type = 'successful', name = RUN, namespace = NS): RunHint => ({
    kind: 'run',
    cluster: 'default',
    namespace,
    name,
    type: `dev.tekton.event.pipelinerun.${type}.v1`,
  });
  const event = (h: RunHint = hint()) => handleEventMessage(h, { ...deps, events });
  const setRun = (change: Partial<RunState>, name = RUN) => cluster.update(NS, name, change);
  const execution = (name: string) => store.execution('default', name)!;
  return {
    store,
    cluster,
    metrics,
    clock,
    log,
    deps,
    timers,
    events,
    queue,
    start,
    hint,
    event,
    setRun,
    execution,
  };
}

const succeeded = (completionTime: string): Partial<RunState> => ({
  startTime: '2026-03-01T10:00:00Z',
  completionTime,
  succeeded: {
    status: 'True',
    reason: 'Succeeded',
    message: 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
  },
});
const failed = (completionTime: string): Partial<RunState> => ({
  startTime: '2026-03-01T10:00:00Z',
  completionTime,
  succeeded: {
    status: 'False',
    reason: 'Failed',
    message: 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
  },
});

describe('WE-13 run events: the cluster is the truth', () => {
  it('records the end an event announces, at once, with the sweep’s own transition, and sets the cooldown’s timer', async () => {
    const s = system();
    await s.start('we-1');
    s.clock.advance(30_000);
    s.setRun(succeeded('2026-03-01T10:00:29Z'));
    expect(await s.event()).toEqual({ kind: 'synced', id: 'default/default/we-1', ended: true });
    const e = s.execution('we-1');
    expect(e.status).toMatchObject({ phase: 'Completed', completionTime: '2026-03-01T10:00:29.000Z' });
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.started', 'workflow.completed']);
    const lock = s.store.locks.get(LOCK)!;
    expect(lock).toMatchObject({ state: 'cooling', releaseAt: '2026-03-01T10:00:39.000Z' });
    const timer = s.timers.sent.at(-1)!;
    expect(timer).toEqual({
      timer: { kind: 'lock-timer', key: LOCK, token: lock.token, version: lock.version, at: lock.releaseAt },
      delaySeconds: 9,
    });
    const delay = s.metrics.entries.find((m) => m.name === 'wfe_end_detection_delay_seconds');
    expect(delay).toMatchObject({ value: 1, dimensions: { trigger: 'event' } });
    console.log(
      `event path: end recorded ${delay?.value}s after Tekton's completionTime; timer in ${timer.delaySeconds}s`,
    );
  });

  it('a forged "successful" for a run still running changes nothing the cluster does not confirm', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun({
      startTime: '2026-03-01T10:00:00Z',
      succeeded: { status: 'Unknown', reason: 'Running', message: 'Tasks Completed: 0' },
    });
    const before = s.execution('we-1');
    await s.event(s.hint('successful'));
    await s.event(s.hint('failed'));
    const after = s.execution('we-1');
    expect(after.status.phase).toBe('Running');
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.started']);
    expect(s.store.locks.get(LOCK)?.state).toBe('running');
    expect(after.status.pipelineRunStatus?.status).toBe('Unknown');
    console.log(`forged end events for a running run: phase ${before.status.phase} → ${after.status.phase}`);
  });

  it('replayed, duplicated and out-of-order events record one end, the one the cluster shows', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(failed('2026-03-01T10:00:05Z'));
    const order = ['running', 'failed', 'started', 'failed', 'successful', 'running', 'failed'];
    const outcomes = [];
    for (const type of order) outcomes.push((await s.event(s.hint(type))).kind);
    expect(outcomes).toEqual([
      'synced',
      'already-ended',
      'already-ended',
      'already-ended',
      'already-ended',
      'already-ended',
      'already-ended',
    ]);
    expect(s.execution('we-1').status.phase).toBe('Failed');
    expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.started', 'workflow.failed']);
    console.log(
      `${order.length} events (replayed, duplicated, out of order): 1 end recorded, ${s.store.audit.length} audit records`,
    );
  });

  it('ignores runs the system does not know, runs in other namespaces and runs the cluster no longer has', async () => {
    const s = system();
    await s.start('we-1');
    await s.cluster.createPipelineRun({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'someone-elses', namespace: NS, labels: { app: 'x' }, annotations: {} },
      spec: {
        pipelineRef: { resolver: 'bundles', params: [] },
        params: [],
        taskRunTemplate: { serviceAccountName: 'x' },
      },
    });
    const outcomes = [
      await s.event(s.hint('successful', 'someone-elses')),
      await s.event(s.hint('successful', 'never-existed')),
      await s.event(s.hint('successful', RUN, 'other-namespace')),
    ];
    expect(outcomes).toEqual([
      { kind: 'ignored', reason: 'unknown-run' },
      { kind: 'ignored', reason: 'run-gone' },
      { kind: 'ignored', reason: 'other-namespace' },
    ]);
    expect(s.execution('we-1').status.phase).toBe('Running');
    expect(s.metrics.sum('wfe_events_ignored_total')).toBe(3);
    console.log(
      `unknown/gone/foreign runs: ${s.metrics.sum('wfe_events_ignored_total')} ignored, 0 transitions`,
    );
  });

  it("a run whose labels name another execution (not that execution's run) ends nothing", async () => {
    const s = system();
    await s.start('we-1');
    await s.start('we-2', 'default/deployment/other-app');
    // A run named for we-1's target, labelled as we-2's: we-2's run has another name.
    s.setRun({
      labels: { [Label.WorkflowExecution]: 'we-2', [Label.SourceNamespace]: 'default' },
      ...failed('2026-03-01T10:00:05Z'),
    });
    expect(await s.event(s.hint('failed'))).toEqual({ kind: 'ignored', reason: 'not-its-run' });
    expect(s.execution('we-1').status.phase).toBe('Running');
    expect(s.execution('we-2').status.phase).toBe('Running');
    console.log("another execution's run: ignored, both executions still Running");
  });

  it('a run that ends before its execution is recorded Running is re-checked, then recorded once Running', async () => {
    const s = system();
    // Crash between create and record: the run exists, the execution is still Pending.
    s.store.beforeWrite = (change) => {
      if (change.audit?.some((a) => a.event_type === 'workflow.started')) throw new Error('crash');
    };
    await expect(s.start('we-1')).rejects.toThrow('crash');
    s.store.beforeWrite = undefined;
    s.setRun(succeeded('2026-03-01T10:00:01Z'));
    let outcome = await s.event();
    expect(outcome).toEqual({ kind: 're-queued', attempt: 1 });
    expect(s.execution('we-1').status.phase).toBe('Pending');
    // The request is redelivered: it adopts the run and records Running; the re-check then ends it.
    await s.start('we-1');
    outcome = await s.event(s.events.sent.at(-1)!.message);
    expect(outcome).toEqual({ kind: 'synced', id: 'default/default/we-1', ended: true });
    expect(s.execution('we-1').status.phase).toBe('Completed');
    console.log(`run ended before Running: re-queued ${s.events.sent.length} time(s), then recorded`);
  });

  it(`stops re-checking after ${MAX_RECHECKS} attempts; the sweep carries it from there`, async () => {
    const s = system();
    s.store.beforeWrite = (change) => {
      if (change.audit?.some((a) => a.event_type === 'workflow.started')) throw new Error('crash');
    };
    await expect(s.start('we-1')).rejects.toThrow('crash');
    s.store.beforeWrite = undefined;
    s.setRun(succeeded('2026-03-01T10:00:01Z'));
    let message = s.hint();
    let last = await s.event(message);
    while (last.kind === 're-queued') {
      message = s.events.sent.at(-1)!.message;
      last = await s.event(message);
    }
    expect(s.events.sent).toHaveLength(MAX_RECHECKS);
    expect(last).toEqual({ kind: 'not-running-yet', id: 'default/default/we-1' });
    // WE-8: the lease timer (sent when the lock was taken) adopts the run; the sweep ends it.
    s.clock.advance(15 * 60_000);
    const lease = s.timers.take();
    expect(lease).toHaveLength(1);
    expect(await fireLockTimer(lease[0]!, s.deps)).toBe('settled');
    expect(s.execution('we-1').status.phase).toBe('Running');
    await reconcile(s.deps);
    expect(s.execution('we-1').status.phase).toBe('Completed');
    console.log(
      `re-checks: ${s.events.sent.length}, then the lease timer adopted the run and the sweep ended it`,
    );
  });

  it('1,000 events at once for one run and for unknown runs: one transition, execute unaffected', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    const hints = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? s.hint(['running', 'successful', 'failed'][i % 3])
        : s.hint('successful', `wfe-${i.toString(16).padStart(16, '0')}`),
    );
    const started = Date.now();
    const outcomes = await Promise.all(hints.map((h) => s.event(h)));
    const ms = Date.now() - started;
    const kinds = outcomes.reduce<Record<string, number>>((acc, o) => {
      acc[o.kind] = (acc[o.kind] ?? 0) + 1;
      return acc;
    }, {});
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.completed')).toHaveLength(1);
    expect(s.execution('we-1').status.phase).toBe('Completed');
    expect(kinds.ignored).toBe(500);
    // execute on another target is unaffected.
    expect(await s.start('we-2', 'default/deployment/other-app')).toMatchObject({ kind: 'started' });
    console.log(
      `1,000 events in ${ms} ms: ${JSON.stringify(kinds)}; 1 workflow.completed; execute started another target`,
    );
  });

  it("a run's events in one batch share one read and one transition; the next batch reads again", async () => {
    const s = system();
    await s.start('we-1');
    await s.start('we-2', 'default/deployment/other-app');
    const other = pipelineRunName('default/deployment/other-app');
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    s.cluster.calls.length = 0;
    const writesBefore = s.store.counts.writes;
    const handle = batchOfEvents({ ...s.deps, events: s.events });
    const outcomes = await Promise.all([
      handle(s.hint('started')),
      handle(s.hint('running')),
      handle(s.hint('running', other)),
      handle(s.hint('successful')),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['synced', 'shared', 'synced', 'shared']);
    expect(outcomes[1]).toEqual({ kind: 'shared', with: outcomes[0] });
    const reads = s.cluster.calls.filter((c) => c === 'get');
    expect(reads).toHaveLength(2);
    expect(s.execution('we-1').status.phase).toBe('Completed');
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.completed')).toHaveLength(1);
    const writes = s.store.counts.writes - writesBefore;
    expect(await batchOfEvents({ ...s.deps, events: s.events })(s.hint('successful'))).toMatchObject({
      kind: 'already-ended',
    });
    expect(s.cluster.calls.filter((c) => c === 'get')).toHaveLength(3);
    console.log(`4 events for 2 runs in one batch: ${reads.length} run reads, ${writes} write(s)`);
  });

  it('a read that fails fails every event of its run in the batch, so each is retried', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    s.cluster.fault = () => {
      throw new ClusterUnavailableError('connect ECONNREFUSED');
    };
    const handle = batchOfEvents({ ...s.deps, events: s.events });
    const outcomes = await Promise.allSettled([handle(s.hint('started')), handle(s.hint('successful'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(s.execution('we-1').status.phase).toBe('Running');
  });

  it('a cluster fault throws (the message is retried) and writes nothing', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    s.cluster.fault = () => {
      throw new ClusterUnavailableError('connect ECONNREFUSED');
    };
    await expect(s.event()).rejects.toThrow('ECONNREFUSED');
    expect(s.execution('we-1').status.phase).toBe('Running');
  });

  it('reads queue messages back and refuses anything else', () => {
    const timer = { kind: 'lock-timer', key: LOCK, token: 1, version: 3, at: '2026-03-01T10:00:00.000Z' };
    expect(parseEventMessage(JSON.stringify(timer))).toEqual(timer);
    expect(
      parseEventMessage(
        JSON.stringify({ kind: 'run', cluster: 'default', namespace: NS, name: RUN, type: 't' }),
      ),
    ).toMatchObject({ cluster: 'default', name: RUN });
    const clusterless = JSON.stringify({ kind: 'run', namespace: NS, name: RUN, type: 't' });
    for (const bad of [
      '',
      '{',
      '{"kind":"run"}',
      clusterless,
      JSON.stringify({ ...timer, at: 'soon' }),
      '[]',
    ])
      expect(parseEventMessage(bad)).toBeUndefined();
  });
});

describe('WE-12 logs on the event path', () => {
  it('says what became of a run event and of a lock timer, with the execution’s keys once it is known', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:29Z'));
    await s.event(s.hint('successful', 'wfe-not-ours'));
    await s.event();
    const [timer] = s.timers.take().slice(-1);
    s.clock.advance(COOLDOWN + 30_000);
    await fireLockTimer(timer!, s.deps);

    const handled = s.log.lines.filter((l) => l.message.endsWith(' handled'));
    expect(handled.map((l) => [l.message, l.fields?.executionId, l.fields?.target])).toEqual([
      ['run event handled', undefined, undefined],
      ['run event handled', 'default/default/we-1', TARGET],
      ['lock timer handled', 'default/default/we-1', TARGET],
    ]);
    expect(handled[0]?.fields?.outcome).toEqual({ kind: 'ignored', reason: 'run-gone' });
    expect(handled[1]?.fields).toMatchObject({ correlationId: 'we-1', run: `${NS}/${RUN}` });
    expect(handled[2]?.fields).toMatchObject({ lock: LOCK, outcome: 'settled' });
  });
});

describe('WE-13 lock timers', () => {
  it('releases the lock when the cooldown’s timer fires, on time; an early or stale timer is a no-op', async () => {
    const s = system();
    await s.start('we-1');
    s.timers.take(); // the lease timer
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    await s.event();
    const [timer] = s.timers.take();
    expect(timer?.at).toBe('2026-03-01T10:00:12.000Z');
    s.clock.set('2026-03-01T10:00:12Z');
    expect(await fireLockTimer(timer!, s.deps)).toBe('settled');
    expect(s.store.locks.has(LOCK)).toBe(false);
    expect(s.execution('we-1').status.conditions.LockReleased?.status).toBe('True');
    expect(s.cluster.run(NS, RUN)).toBeUndefined();
    const delay = s.metrics.entries.find((m) => m.name === 'wfe_release_delay_seconds');
    expect(delay).toMatchObject({ value: 0, dimensions: { trigger: 'timer' } });
    // Fired again (SQS delivers at least once): the lock is gone, nothing happens.
    expect(await fireLockTimer(timer!, s.deps)).toBe('stale');
    console.log(`timer path: lock released ${delay?.value}s after releaseAt; duplicate timer: stale`);
  });

  it('a timer for a lock taken over since (new token) or rewritten (new version) is a no-op', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    await s.event();
    const cooling = s.timers.sent.at(-1)!.timer;
    s.clock.set('2026-03-01T10:00:12Z');
    // The sweep released it first, and we-2 took the target.
    await reconcile(s.deps);
    expect(await s.start('we-2')).toMatchObject({ kind: 'started' });
    const before = structuredClone(s.store.locks.get(LOCK));
    expect(await fireLockTimer(cooling, s.deps)).toBe('stale');
    expect(
      await fireLockTimer({ ...cooling, token: before!.token, version: before!.version - 1 }, s.deps),
    ).toBe('stale');
    expect(s.store.locks.get(LOCK)).toEqual(before);
    expect(s.execution('we-2').status.phase).toBe('Running');
  });

  it('a cooldown longer than 15 minutes: the timer is sent again until the cooldown ends', async () => {
    const cooldown = 40 * 60_000;
    const s = system(cooldown);
    await s.start('we-1');
    s.timers.take();
    s.setRun(succeeded('2026-03-01T10:00:00Z'));
    await s.event();
    const delays: number[] = [];
    let pending = s.timers.sent.splice(0);
    let outcome = '';
    while (pending.length > 0) {
      const [{ timer, delaySeconds }] = pending as [(typeof pending)[0]];
      delays.push(delaySeconds);
      expect(delaySeconds).toBeLessThanOrEqual(MAX_TIMER_DELAY_SECONDS);
      s.clock.advance(delaySeconds * 1000);
      outcome = await fireLockTimer(timer, s.deps);
      expect(s.store.locks.has(LOCK)).toBe(outcome !== 'settled');
      pending = s.timers.sent.splice(0);
    }
    expect(delays).toEqual([900, 900, 600]);
    expect(outcome).toBe('settled');
    expect(s.clock.now().toISOString()).toBe('2026-03-01T10:40:00.000Z');
    console.log(`40-minute cooldown: timer delays ${delays.join(' + ')} s, released at the cooldown's end`);
  });

  it('a lock taken by execute gets a lease timer; a crash before the run is created frees it when the lease ends (WE-8)', async () => {
    const s = system();
    s.cluster.fault = (op) => {
      if (op === 'create') throw new ClusterUnavailableError('connect ECONNREFUSED');
    };
    await expect(s.start('we-1')).rejects.toThrow('ECONNREFUSED');
    s.cluster.fault = undefined;
    const [{ timer, delaySeconds }] = s.timers.sent.splice(0) as [{ timer: never; delaySeconds: number }];
    expect(delaySeconds).toBe(900);
    s.clock.advance(900_000);
    expect(await fireLockTimer(timer, s.deps)).toBe('settled');
    expect(s.execution('we-1').status.phase).toBe('Failed');
    expect(s.store.locks.has(LOCK)).toBe(false);
  });

  it('a timer that cannot be sent is logged and changes nothing else: the sweep releases the lock', async () => {
    const s = system();
    s.deps.timers = {
      send: async () => {
        throw new Error('SQS unavailable');
      },
    };
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    expect(await reconcile(s.deps)).toMatchObject({ completed: 1 });
    s.clock.set('2026-03-01T10:00:12Z');
    expect(await reconcile(s.deps)).toMatchObject({ released: 1 });
  });
});

describe('WE-13 the net: every event and every timer lost', () => {
  it('the sweep alone finishes every execution and frees every lock, as before', async () => {
    const s = system();
    const targets = Array.from({ length: 20 }, (_, i) => `default/deployment/app-${i}`);
    for (const [i, target] of targets.entries()) await s.start(`we-${i}`, target);
    for (const [i, target] of targets.entries())
      s.setRun((i % 2 ? failed : succeeded)('2026-03-01T10:00:05Z'), pipelineRunName(target));
    s.timers.take(); // lost
    s.clock.set('2026-03-01T10:00:06Z');
    const first = await reconcile(s.deps);
    s.timers.take(); // lost
    s.clock.set('2026-03-01T10:01:06Z');
    const second = await reconcile(s.deps);
    expect(first).toMatchObject({ completed: 10, failed: 10 });
    expect(second).toMatchObject({ released: 20 });
    expect(s.store.locks.size).toBe(0);
    const releaseDelays = s.metrics.entries
      .filter((m) => m.name === 'wfe_release_delay_seconds')
      .map((m) => m.value);
    console.log(
      `events and timers lost: ${first.completed + first.failed} ended at the first tick, ${second.released} released at the next (release delay ${Math.max(...releaseDelays)} s, sweep)`,
    );
  });
});

describe('WE-13 the event path, decision by decision', () => {
  const labelledFor = (name: string) => ({
    labels: { [Label.WorkflowExecution]: name, [Label.SourceNamespace]: 'default' },
  });

  it('counts an ignored event by its reason, and an event that did something not at all', async () => {
    const s = system();
    await s.start('we-1');
    await s.event(s.hint('running'));
    await s.event(s.hint('successful', 'never-existed'));
    expect(s.metrics.entries.filter((m) => m.name === 'wfe_events_ignored_total')).toEqual([
      {
        name: 'wfe_events_ignored_total',
        unit: 'Count',
        value: 1,
        dimensions: { reason: 'run-gone', cluster: 'default' },
      },
    ]);
  });

  it('says whether the synced event ended its execution', async () => {
    const s = system();
    await s.start('we-1');
    expect(await s.event(s.hint('running'))).toEqual({
      kind: 'synced',
      id: 'default/default/we-1',
      ended: false,
    });
    s.setRun(failed('2026-03-01T10:00:05Z'));
    expect(await s.event(s.hint('failed'))).toEqual({
      kind: 'synced',
      id: 'default/default/we-1',
      ended: true,
    });
  });

  it('a run under another name labelled as an execution not yet Running is not its run', async () => {
    const s = system();
    await s.start('we-1');
    const e = s.execution('we-1');
    s.store.executions.set('default/default/we-1', {
      ...e,
      status: { phase: 'Pending', conditions: {} },
    });
    await s.cluster.createPipelineRun({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'wfe-elsewhere', namespace: NS, ...labelledFor('we-1'), annotations: {} },
      spec: {
        pipelineRef: { resolver: 'bundles', params: [] },
        params: [],
        taskRunTemplate: { serviceAccountName: 'x' },
      },
    });
    expect(await s.event(s.hint('started', 'wfe-elsewhere'))).toEqual({
      kind: 'ignored',
      reason: 'not-its-run',
    });
  });

  it("a run under the target's name that the execution's record names otherwise is not its run", async () => {
    const s = system();
    await s.start('we-1');
    const e = s.execution('we-1');
    s.store.executions.set('default/default/we-1', {
      ...e,
      status: { ...e.status, pipelineRunRef: { name: 'wfe-recorded' } },
    });
    s.setRun(failed('2026-03-01T10:00:05Z'));
    expect(await s.event(s.hint('failed'))).toEqual({ kind: 'ignored', reason: 'not-its-run' });
    expect(s.execution('we-1').status.phase).toBe('Running');
  });

  it('a deferred execution whose target another holds is not waiting for this run', async () => {
    const s = system();
    await s.start('we-1');
    s.setRun(succeeded('2026-03-01T10:00:02Z'));
    await s.event();
    expect(await s.start('we-2')).toMatchObject({ kind: 'deferred' });
    s.setRun(labelledFor('we-2'));
    expect(await s.event(s.hint('started'))).toEqual({ kind: 'ignored', reason: 'not-its-run' });
    expect(s.events.sent).toEqual([]);
  });

  it('a timer whose token is not the lock’s is stale even at the same version', async () => {
    const s = system();
    await s.start('we-1');
    const lock = s.store.locks.get(LOCK)!;
    s.clock.advance(15 * 60_000);
    const timer = {
      kind: 'lock-timer' as const,
      key: LOCK,
      token: lock.token + 1,
      version: lock.version,
      at: lock.leaseUntil!,
    };
    expect(await fireLockTimer(timer, s.deps)).toBe('stale');
    expect(s.store.locks.get(LOCK)).toEqual(lock);
  });

  it('a timer message is handled as a timer, and each timer of a batch on its own', async () => {
    const s = system();
    await s.start('we-1');
    await s.start('we-2', 'default/deployment/other-app');
    s.timers.take();
    const first = timerFor(s.store.locks.get(LOCK)!);
    const second = timerFor(s.store.locks.get('default#default/deployment/other-app')!);
    expect(await handleEventMessage(first!, { ...s.deps, events: s.events })).toEqual({
      kind: 'timer',
      outcome: 're-sent',
    });
    const batch = batchOfEvents({ ...s.deps, events: s.events });
    expect(await batch(first!)).toEqual({ kind: 'timer', outcome: 're-sent' });
    expect(await batch(second!)).toEqual({ kind: 'timer', outcome: 're-sent' });
    expect(s.timers.sent.map((t) => t.timer.key)).toEqual([first!.key, first!.key, second!.key]);
  });
});
