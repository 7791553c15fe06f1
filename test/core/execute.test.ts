import { describe, expect, it } from 'vitest';
import { ClusterRejectedError, ClusterUnavailableError } from '../../functions/core/errors.js';
import { type ExecuteSettings, execute } from '../../functions/core/execute.js';
import { conditionList } from '../../functions/core/execution.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import { lockKey } from '../../functions/core/target.js';
import { memorySystem, NAMESPACE as NS, oneCluster } from '../fakes/memory-system.js';
import { body, manifest } from '../fixtures/manifests.js';

const TARGET = 'default/deployment/test-app';

function system(settings: Partial<ExecuteSettings> = {}) {
  const s = memorySystem({ settings: { ...oneCluster('prod-eu'), ...settings } });
  const { store, clock, executeDeps: deps } = s;
  const finish = (name: string, at = clock.now()) => {
    // What reconcile does when a run completes: Completed, and the lock starts its cooldown.
    const e = store.execution('default', name)!;
    store.executions.set(executionKey(e.id), {
      ...e,
      status: { ...e.status, phase: 'Completed', completionTime: at.toISOString() },
    });
    const lock = store.locks.get(lockKey('prod-eu', e.target))!;
    store.locks.set(lock.key, {
      ...lock,
      version: lock.version + 1,
      state: 'cooling',
      releaseAt: new Date(at.getTime() + deps.settings.cooldownMs).toISOString(),
    });
  };
  return { ...s, deps, finish };
}

describe('execute: a request becomes exactly one PipelineRun', () => {
  it('WE-1/WE-4/WE-5/WE-9: takes the lock, creates the run and records Running with workflow.started', async () => {
    const s = system();
    const outcome = await execute(body({ name: 'we-1' }), s.deps);
    expect(outcome).toEqual({
      kind: 'started',
      id: 'prod-eu/default/we-1',
      pipelineRun: 'wfe-196200272a2c85fd',
      adopted: false,
    });
    expect(s.cluster.run(NS, 'wfe-196200272a2c85fd')).toBeDefined();
    const e = s.store.execution('default', 'we-1')!;
    expect(e.status.phase).toBe('Running');
    expect(e.status.startTime).toBe('2026-03-01T10:00:00.000Z');
    expect(e.status.pipelineRunRef).toEqual({ name: 'wfe-196200272a2c85fd' });
    expect(conditionList(e.status).map((c) => [c.type, c.status, c.reason])).toEqual([
      ['TektonPipelineCreated', 'True', 'PipelineCreated'],
      ['TektonPipelineRunning', 'True', 'PipelineStarted'],
      ['AuditRecorded', 'True', 'AuditSucceeded'],
    ]);
    expect(e.status.conditions.TektonPipelineCreated?.message).toContain('wfe-196200272a2c85fd');
    const lock = s.store.locks.get(`prod-eu#${TARGET}`)!;
    expect(lock).toMatchObject({
      holder: { namespace: 'default', name: 'we-1' },
      state: 'running',
      token: 1,
    });
    expect(s.store.audit).toHaveLength(1);
    expect(s.store.audit[0]).toMatchObject({
      event_type: 'workflow.started',
      event_category: 'workflow',
      event_action: 'started',
      event_outcome: 'success',
      actor_type: 'service',
      actor_id: 'workflowexecution-controller',
      resource_type: 'WorkflowExecution',
      resource_id: 'we-1',
      correlation_id: 'we-1',
      namespace: 'default',
      event_data: {
        workflow_id: 'test-workflow',
        workflow_version: 'v1.0.0',
        target_resource: TARGET,
        phase: 'Running',
        container_image: 'ghcr.io/kubernaut/workflows/test@sha256:abc123',
        execution_name: 'we-1',
        started_at: '2026-03-01T10:00:00.000Z',
        pipelinerun_name: 'wfe-196200272a2c85fd',
      },
    });
    expect(s.metrics.sum('workflowexecution_reconciler_pipelinerun_creations_total')).toBe(1);
    expect(s.metrics.sum('wfe_locks_acquired_total')).toBe(1);
  });

  it('WE-1: the lock key carries the cluster name, so one target in two clusters is two locks', async () => {
    const a = system(oneCluster('a'));
    await execute(body({ name: 'we-1' }), a.deps);
    expect([...a.store.locks.keys()]).toEqual([`a#${TARGET}`]);
  });

  it('runs executions on different targets in parallel', async () => {
    const s = system();
    const outcomes = await Promise.all([
      execute(body({ name: 'we-a', target: 'default/deployment/a' }), s.deps),
      execute(body({ name: 'we-b', target: 'default/deployment/b' }), s.deps),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['started', 'started']);
    expect(s.cluster.runs.size).toBe(2);
  });

  it('WE-2: a second execution on a busy target ends Failed/Deduplicated with deduplicatedBy', async () => {
    const s = system();
    await execute(body({ name: 'we-1' }), s.deps);
    const held = s.store.locks.get(lockKey('prod-eu', TARGET));
    const outcome = await execute(body({ name: 'we-2' }), s.deps);
    expect(outcome).toEqual({ kind: 'deduplicated', id: 'prod-eu/default/we-2', by: 'prod-eu/default/we-1' });
    // The winner keeps its lock untouched: the loser neither takes it over nor bumps it.
    expect(s.store.locks.get(lockKey('prod-eu', TARGET))).toEqual(held);
    expect(held).toMatchObject({ holder: { name: 'we-1' }, state: 'running' });
    const e = s.store.execution('default', 'we-2')!;
    expect(e.status.phase).toBe('Failed');
    expect(e.status.deduplicatedBy).toBe('prod-eu/default/we-1');
    expect(e.status.failureDetails).toMatchObject({ reason: 'Deduplicated', wasExecutionFailure: false });
    expect(e.status.completionTime).toBe('2026-03-01T10:00:00.000Z');
    expect(s.store.audit.map((a) => [a.resource_id, a.event_type])).toEqual([
      ['we-1', 'workflow.started'],
      ['we-2', 'workflow.failed'],
    ]);
    expect(s.store.audit[1]?.event_data).toMatchObject({ phase: 'Failed', failure_reason: 'Deduplicated' });
    expect(s.store.execution('default', 'we-1')!.status.phase).toBe('Running');
    expect(s.metrics.sum('workflowexecution_reconciler_total', { outcome: 'Failed' })).toBe(1);
    expect(s.metrics.sum('wfe_deduplicated_total')).toBe(1);
  });

  it('WE-4: adopts a PipelineRun pre-created with its own labels, recording workflow.started once', async () => {
    const s = system();
    const parsed = manifest({ name: 'we-1' });
    await s.cluster.createPipelineRun({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        name: pipelineRunName(TARGET),
        namespace: NS,
        labels: { 'kubernaut.ai/workflow-execution': 'we-1', 'kubernaut.ai/source-namespace': 'default' },
        annotations: {},
      },
      spec: {
        pipelineRef: { resolver: 'bundles', params: [] },
        params: [],
        taskRunTemplate: { serviceAccountName: 'x' },
      },
    });
    const outcome = await execute(JSON.stringify(parsed), s.deps);
    expect(outcome).toMatchObject({ kind: 'started', adopted: true });
    expect(s.store.execution('default', 'we-1')!.status.conditions.TektonPipelineCreated).toMatchObject({
      status: 'True',
      reason: 'PipelineCreated',
    });
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.started')).toHaveLength(1);
    expect(s.metrics.sum('workflowexecution_reconciler_pipelinerun_creations_total')).toBe(0);
  });

  it('WE-4/WE-2: a PipelineRun owned by another running execution makes this one Deduplicated', async () => {
    const s = system();
    await execute(body({ name: 'we-1' }), s.deps);
    // The lock is lost (e.g. deleted by hand) while we-1's run is still going.
    s.store.locks.clear();
    const outcome = await execute(body({ name: 'we-2' }), s.deps);
    expect(outcome).toEqual({ kind: 'deduplicated', id: 'prod-eu/default/we-2', by: 'prod-eu/default/we-1' });
    expect(s.cluster.run(NS, pipelineRunName(TARGET))?.state.labels['kubernaut.ai/workflow-execution']).toBe(
      'we-1',
    );
  });

  it('SPEC §6: the same message delivered 5 times concurrently gives 1 run and 1 workflow.started', async () => {
    const s = system();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => execute(body({ name: 'we-1' }), s.deps)),
    );
    expect(s.cluster.runs.size).toBe(1);
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'already-done')).toHaveLength(4);
    expect(s.metrics.sum('workflowexecution_reconciler_pipelinerun_creations_total')).toBe(1);
  });

  it('SPEC §6: 50 concurrent requests for one target give 1 run, 1 Running and 49 Deduplicated', async () => {
    const s = system();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => execute(body({ name: `we-${i}` }), s.deps)),
    );
    const phases = [...s.store.executions.values()].map((e) => e.status.phase);
    expect(s.cluster.runs.size).toBe(1);
    expect(phases.filter((p) => p === 'Running')).toHaveLength(1);
    expect(phases.filter((p) => p === 'Failed')).toHaveLength(49);
    expect(outcomes.filter((o) => o.kind === 'deduplicated')).toHaveLength(49);
    const winner = [...s.store.executions.values()].find((e) => e.status.phase === 'Running')!;
    for (const e of s.store.executions.values()) {
      if (e !== winner) expect(e.status.deduplicatedBy).toBe(`prod-eu/default/${winner.id.name}`);
    }
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.started')).toHaveLength(1);
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.failed')).toHaveLength(49);
  });
});

describe('WE-3 cooldown gate', () => {
  it('keeps a request for a cooling target Pending and brings it back exactly when the cooldown ends', async () => {
    const s = system();
    await execute(body({ name: 'we-1' }), s.deps);
    s.finish('we-1');
    s.clock.advance(2000); // finished 2 s ago, 10 s cooldown
    const outcome = await execute(body({ name: 'we-2' }), s.deps);
    expect(outcome).toEqual({
      kind: 'deferred',
      id: 'prod-eu/default/we-2',
      until: '2026-03-01T10:00:10.000Z',
      delaySeconds: 8,
    });
    const waiting = s.store.execution('default', 'we-2')!;
    expect(waiting.status.phase).toBe('Pending');
    expect(waiting.status.conditions.CooldownActive).toMatchObject({
      status: 'True',
      reason: 'CooldownActive',
    });
    expect(waiting.status.conditions.CooldownActive?.message).toContain('remaining: 8s');
    expect(s.queue.deferred).toEqual([{ body: body({ name: 'we-2' }), delaySeconds: 8 }]);
    expect(s.metrics.sum('wfe_cooldown_deferrals_total')).toBe(1);

    // The deferred message becomes visible after its delay: the clock is where SQS would deliver it.
    s.clock.advance(8000);
    const lateness = s.clock.now().getTime() - Date.parse('2026-03-01T10:00:10.000Z');
    expect(lateness).toBeLessThanOrEqual(1000);
    const started = await execute(s.queue.deferred[0]!.body, s.deps);
    expect(started).toMatchObject({ kind: 'started', id: 'prod-eu/default/we-2' });
    const e = s.store.execution('default', 'we-2')!;
    expect(e.status.startTime).toBe('2026-03-01T10:00:10.000Z');
    expect(e.status.conditions.CooldownActive).toMatchObject({ status: 'False', reason: 'CooldownElapsed' });
    expect(s.store.locks.get(`prod-eu#${TARGET}`)).toMatchObject({
      holder: { name: 'we-2' },
      token: 2,
      state: 'running',
    });
    expect(s.store.execution('default', 'we-1')!.status.conditions.LockReleased).toMatchObject({
      status: 'True',
    });
    expect(
      s.cluster.events.map((ev) => [ev.reason, ev.involvedObject.kind, ev.involvedObject.name, ev.message]),
    ).toEqual([
      ['LockReleased', 'PipelineRun', pipelineRunName(TARGET), `Lock released for ${TARGET} after cooldown`],
    ]);
  });

  it("lands on the cooldown's end to the second: deferrals round down and the last fraction is waited out", async () => {
    const s = system();
    const slept: number[] = [];
    const deps = {
      ...s.deps,
      sleep: async (ms: number) => {
        slept.push(ms);
        s.clock.advance(ms);
      },
    };
    await execute(body({ name: 'we-1' }), deps);
    s.finish('we-1');
    s.clock.advance(2500); // 7.5 s of the 10 s cooldown left
    expect(await execute(body({ name: 'we-2' }), deps)).toMatchObject({ kind: 'deferred', delaySeconds: 7 });
    s.clock.advance(7000); // SQS delivers the deferred message 0.5 s before the end
    expect(await execute(s.queue.deferred[0]!.body, deps)).toMatchObject({ kind: 'started' });
    expect(slept).toEqual([500]);
    expect(s.store.execution('default', 'we-2')!.status.startTime).toBe('2026-03-01T10:00:10.000Z');
  });

  it("deletes the previous holder's run on take-over (owner-checked), then creates its own", async () => {
    const s = system();
    await execute(body({ name: 'we-1' }), s.deps);
    s.finish('we-1');
    s.clock.advance(10_000);
    expect(await execute(body({ name: 'we-2' }), s.deps)).toMatchObject({ kind: 'started', adopted: false });
    expect(s.cluster.run(NS, pipelineRunName(TARGET))?.state.labels['kubernaut.ai/workflow-execution']).toBe(
      'we-2',
    );
  });

  it('waits again, without a second write, when a deferred message returns early', async () => {
    const s = system();
    await execute(body({ name: 'we-1' }), s.deps);
    s.finish('we-1');
    await execute(body({ name: 'we-2' }), s.deps);
    const writes = s.store.counts.writes;
    await execute(body({ name: 'we-2' }), s.deps);
    expect(s.store.counts.writes).toBe(writes);
    expect(s.queue.deferred.map((d) => d.delaySeconds)).toEqual([10, 10]);
  });

  it("caps one deferral at SQS's 15 minutes for long cooldowns", async () => {
    const s = system({ cooldownMs: 3_600_000 });
    await execute(body({ name: 'we-1' }), s.deps);
    s.finish('we-1');
    expect(await execute(body({ name: 'we-2' }), s.deps)).toMatchObject({
      kind: 'deferred',
      delaySeconds: 900,
    });
  });
});

describe('invalid requests (SPEC §2)', () => {
  it.each([
    [{ image: '' }, 'workflowRef.containerImage is required'],
    [{ target: 'deployment' }, 'got 1 parts'],
  ])('%j ends Failed/ConfigurationError with wasExecutionFailure false', async (options, reason) => {
    const s = system();
    const outcome = await execute(body({ name: 'we-bad', ...options }), s.deps);
    expect(outcome).toMatchObject({ kind: 'rejected', id: 'prod-eu/default/we-bad', deadLettered: false });
    const e = s.store.execution('default', 'we-bad')!;
    expect(e.status.phase).toBe('Failed');
    expect(e.status.failureDetails).toMatchObject({
      reason: 'ConfigurationError',
      wasExecutionFailure: false,
    });
    expect(e.status.failureDetails?.message).toContain(reason);
    expect(e.status.conditions.TektonPipelineCreated).toMatchObject({
      status: 'False',
      reason: 'PipelineCreationFailed',
    });
    expect(s.store.audit).toHaveLength(1);
    expect(s.store.audit[0]).toMatchObject({ event_type: 'workflow.failed', event_outcome: 'failure' });
    expect(s.store.audit[0]?.event_data.failure_reason).toBe('ConfigurationError');
    expect(s.cluster.runs.size).toBe(0);
    expect(s.store.locks.size).toBe(0);
    // Delivered again: nothing new.
    expect(await execute(body({ name: 'we-bad', ...options }), s.deps)).toMatchObject({
      kind: 'already-done',
    });
    expect(s.store.audit).toHaveLength(1);
  });

  it('sends bad JSON to the dead-letter queue with the reason', async () => {
    const s = system();
    expect(await execute('{not json', s.deps)).toMatchObject({ kind: 'rejected', deadLettered: true });
    expect(s.queue.deadLettered[0]?.reason).toMatch(/^request body is not valid JSON/);
    expect(s.store.executions.size).toBe(0);
  });

  it('sends a request with no readable identity to the dead-letter queue', async () => {
    const s = system();
    await execute(JSON.stringify({ kind: 'WorkflowExecution', metadata: { name: 'UPPER' } }), s.deps);
    expect(s.queue.deadLettered[0]?.reason).toContain(
      'metadata.name: must be a lowercase RFC 1123 subdomain',
    );
  });

  it('rejects a different spec under an existing identity, leaving the execution alone', async () => {
    const s = system();
    await execute(body({ name: 'we-1' }), s.deps);
    const outcome = await execute(body({ name: 'we-1', target: 'default/deployment/other' }), s.deps);
    expect(outcome).toMatchObject({ kind: 'conflict', id: 'prod-eu/default/we-1' });
    expect(s.queue.deadLettered[0]?.reason).toBe(
      'execution prod-eu/default/we-1 already exists with a different spec; use a new name for a new request',
    );
    expect(s.store.execution('default', 'we-1')!.target).toBe(TARGET);
    expect(s.cluster.runs.size).toBe(1);
  });
});

describe('WE-15 guardrails: the operator bounds the service account and the bundle', () => {
  it.each([
    [
      'a service account outside ALLOWED_SERVICE_ACCOUNTS (default: only SERVICE_ACCOUNT_NAME)',
      {},
      { serviceAccountName: 'cluster-admin-sa' },
      'ALLOWED_SERVICE_ACCOUNTS',
    ],
    [
      'a service account outside an explicit ALLOWED_SERVICE_ACCOUNTS',
      { allowedServiceAccounts: ['runner-a', 'runner-b'] },
      { serviceAccountName: 'kubernaut-workflow-runner' },
      'ALLOWED_SERVICE_ACCOUNTS (runner-a, runner-b)',
    ],
    [
      'a bundle outside ALLOWED_BUNDLE_PREFIXES',
      { allowedBundlePrefixes: ['ghcr.io/kubernaut/', 'registry.example.com/'] },
      { image: 'ghcr.io/kubernaut-evil/workflows/x@sha256:abc' },
      'ALLOWED_BUNDLE_PREFIXES',
    ],
  ] as const)(
    '%s ends Failed/ConfigurationError, naming the setting, with no lock and no PipelineRun',
    async (_, settings, options, named) => {
      const s = system(settings);
      const outcome = await execute(body({ name: 'we-out', ...options }), s.deps);
      expect(outcome).toEqual({ kind: 'failed', id: 'prod-eu/default/we-out', reason: 'ConfigurationError' });
      const e = s.store.execution('default', 'we-out')!;
      expect(e.status.phase).toBe('Failed');
      expect(e.status.failureDetails).toMatchObject({
        reason: 'ConfigurationError',
        wasExecutionFailure: false,
      });
      expect(e.status.failureDetails?.message).toContain(named);
      expect(s.cluster.runs.size).toBe(0);
      expect(s.store.locks.size).toBe(0);
      expect(s.store.audit.map((a) => [a.event_type, a.event_data.failure_reason])).toEqual([
        ['workflow.failed', 'ConfigurationError'],
      ]);
      expect(await execute(body({ name: 'we-out', ...options }), s.deps)).toMatchObject({
        kind: 'already-done',
      });
      expect(s.store.audit).toHaveLength(1);
    },
  );

  it.each([
    ['the default service account', {}, {}],
    [
      'a listed service account',
      { allowedServiceAccounts: ['runner-a'] },
      { serviceAccountName: 'runner-a' },
    ],
    [
      'a bundle under a listed prefix',
      { allowedBundlePrefixes: ['registry.example.com/', 'ghcr.io/kubernaut/'] },
      {},
    ],
  ] as const)('starts %s', async (_, settings, options) => {
    const s = system(settings);
    expect(await execute(body({ name: 'we-in', ...options }), s.deps)).toMatchObject({ kind: 'started' });
    expect(s.cluster.runs.size).toBe(1);
  });
});

describe('faults: nothing lost, nothing duplicated', () => {
  it.each([
    ['500', new ClusterUnavailableError('HTTP 500', 500)],
    ['429', new ClusterUnavailableError('HTTP 429', 429)],
    ['timeout', new ClusterUnavailableError('timed out')],
  ])(
    'cluster %s on create: the message is retried (thrown), the lock is kept, redelivery finishes',
    async (_n, error) => {
      const s = system();
      s.cluster.fault = (op) => {
        if (op === 'create') throw error;
      };
      await expect(execute(body({ name: 'we-1' }), s.deps)).rejects.toBe(error);
      expect(s.store.execution('default', 'we-1')!.status.phase).toBe('Pending');
      expect(s.store.locks.get(`prod-eu#${TARGET}`)).toMatchObject({
        state: 'acquired',
        holder: { name: 'we-1' },
      });
      s.cluster.fault = undefined;
      expect(await execute(body({ name: 'we-1' }), s.deps)).toMatchObject({ kind: 'started' });
      expect(s.store.audit.filter((a) => a.event_type === 'workflow.started')).toHaveLength(1);
    },
  );

  it('a crash after the PipelineRun is created (before Running is written): redelivery adopts it, no second run', async () => {
    const s = system();
    s.store.beforeWrite = (change) => {
      if (change.audit?.some((a) => a.event_type === 'workflow.started')) throw new Error('crash');
    };
    await expect(execute(body({ name: 'we-1' }), s.deps)).rejects.toThrow('crash');
    expect(s.cluster.runs.size).toBe(1);
    s.store.beforeWrite = undefined;
    expect(await execute(body({ name: 'we-1' }), s.deps)).toMatchObject({ kind: 'started', adopted: true });
    expect(s.cluster.runs.size).toBe(1);
    expect(s.store.audit.filter((a) => a.event_type === 'workflow.started')).toHaveLength(1);
  });

  it('a crash right after the lock is taken: redelivery creates the run once', async () => {
    const s = system();
    s.cluster.fault = (op) => {
      if (op === 'create') throw new Error('process died');
    };
    await expect(execute(body({ name: 'we-1' }), s.deps)).rejects.toThrow('process died');
    s.cluster.fault = undefined;
    expect(await execute(body({ name: 'we-1' }), s.deps)).toMatchObject({ kind: 'started', adopted: false });
    expect(s.cluster.runs.size).toBe(1);
  });

  it.each([
    [
      403,
      'Forbidden',
      'pipelineruns.tekton.dev is forbidden: User "x" cannot create resource',
      'Forbidden',
      'RBACDenied',
    ],
    [
      422,
      'Invalid',
      'PipelineRun.tekton.dev "x" is invalid: metadata.labels: Invalid value',
      'ConfigurationError',
      'PipelineCreationFailed',
    ],
    [
      400,
      'BadRequest',
      'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request',
      'Unknown',
      'PipelineCreationFailed',
    ],
  ])(
    'cluster %d on create: Failed with the classified reason, and the lock cools down',
    async (code, reason, message, expected, conditionReason) => {
      const s = system();
      s.cluster.fault = (op) => {
        if (op === 'create') throw new ClusterRejectedError(message, code, reason);
      };
      expect(await execute(body({ name: 'we-1' }), s.deps)).toMatchObject({
        kind: 'failed',
        reason: expected,
      });
      const e = s.store.execution('default', 'we-1')!;
      expect(e.status.failureDetails).toMatchObject({ reason: expected, wasExecutionFailure: false });
      expect(e.status.conditions.TektonPipelineCreated).toMatchObject({
        status: 'False',
        reason: conditionReason,
      });
      expect(s.store.locks.get(`prod-eu#${TARGET}`)).toMatchObject({
        state: 'cooling',
        releaseAt: '2026-03-01T10:00:10.000Z',
      });
      expect(s.store.audit.map((a) => a.event_type)).toEqual(['workflow.failed']);
    },
  );

  it('a DynamoDB fault is thrown so the message is retried', async () => {
    const s = system();
    s.store.beforeWrite = () => {
      throw Object.assign(new Error('Throughput exceeds the current capacity'), {
        name: 'ProvisionedThroughputExceededException',
      });
    };
    await expect(execute(body({ name: 'we-1' }), s.deps)).rejects.toThrow('Throughput');
    s.store.beforeWrite = undefined;
    expect(await execute(body({ name: 'we-1' }), s.deps)).toMatchObject({ kind: 'started' });
  });
});
