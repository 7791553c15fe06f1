/**
 * Kubernaut's reconciler_test.go ("WorkflowExecution Controller Reconciliation", Dec 2025, with the
 * seed's 13 new tests) against the whole local system: requests through the queue, state through
 * `wfe`, Tekton driven through the cluster API, the audit trail read back from DataStorage, and
 * the functions' EMF metrics.
 */
import { describe, expect, it } from 'vitest';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import {
  acceptanceSystem,
  auditEventsOf,
  completeRun,
  condition,
  expectedRunName,
  param,
  request,
  runningHeld,
  succeededCondition,
  unique,
  type WorkflowExecution,
  waitFor,
} from './harness.js';

// The per-request service account of BR-WE-006 is one the operator allows (WE-15).
const h = acceptanceSystem({
  metrics: true,
  env: { ALLOWED_SERVICE_ACCOUNTS: 'kubernaut-workflow-runner,custom-workflow-sa' },
});

/** Release time of a lock that started cooling at the execution's completion. */
const releaseAtOf = (we: WorkflowExecution) => Date.parse(we.status.completionTime ?? '') + h.cooldownMs;

const R = {
  total: 'workflowexecution_reconciler_total',
  duration: 'workflowexecution_reconciler_duration_seconds',
  creations: 'workflowexecution_reconciler_pipelinerun_creations_total',
};

// Metrics are process-wide counters: this group runs first and alone, so every delta is exact.
describe('BR-WE-008: Prometheus Metrics Recording', () => {
  it('BR-WE-008: should record workflowexecution_duration_seconds histogram (WE-11)', async () => {
    const { name, target } = unique('hist');
    const before = h.metrics.of(R.duration, { outcome: 'Completed' }).length;
    await h.submit(request({ name, target, runFor: '2s' }));
    const done = await h.waitForPhase(name, 'Completed');
    const samples = await waitFor('a Completed duration sample', () => {
      const all = h.metrics.of(R.duration, { outcome: 'Completed' });
      return all.length > before ? all.slice(before) : undefined;
    });
    expect(samples).toHaveLength(1);
    const seconds = (Date.parse(done.status.completionTime!) - Date.parse(done.status.startTime!)) / 1000;
    expect(samples[0]!.unit).toBe('Seconds');
    // Kubernaut: (PipelineRun completion − startTime), not a rounded duration.
    expect(samples[0]!.value).toBeCloseTo(seconds, 2);
    expect(samples[0]!.value).toBeGreaterThan(0);
  });

  it('BR-WE-008: should record workflowexecution_pipelinerun_creation_total counter — once per run, not per delivery (WE-11, WE-4)', async () => {
    const { name, target } = unique('creations');
    const before = h.metrics.sum(R.creations);
    const body = request({ name, target });
    await h.submit(body);
    await h.waitForPhase(name, 'Completed');
    await waitFor('the creation counter', () => h.metrics.sum(R.creations) > before);
    // The same request again (a user retry or an SQS redelivery) creates nothing.
    await h.send(JSON.stringify(body));
    await h.queueDrained();
    expect(h.metrics.sum(R.creations) - before).toBe(1);
    expect((await h.get(name))?.status.phase).toBe('Completed');
  });

  it('BR-WE-008: should record workflowexecution_total metric on successful completion — kept as workflowexecution_reconciler_total{outcome=Completed} (seed; WE-11)', async () => {
    const { name, target } = unique('total-ok');
    const completed = h.metrics.sum(R.total, { outcome: 'Completed' });
    const failed = h.metrics.sum(R.total, { outcome: 'Failed' });
    await h.submit(request({ name, target }));
    await h.waitForPhase(name, 'Completed');
    await waitFor(
      'the Completed counter',
      () => h.metrics.sum(R.total, { outcome: 'Completed' }) > completed,
    );
    expect(h.metrics.sum(R.total, { outcome: 'Completed' }) - completed).toBe(1);
    expect(h.metrics.sum(R.total, { outcome: 'Failed' }) - failed).toBe(0);
    // The seed named the never-implemented doc metric; the code's name is the one dashboards read.
    expect(h.metrics.of('workflowexecution_total')).toEqual([]);
  });

  it('BR-WE-008: should record workflowexecution_total metric on failure — workflowexecution_reconciler_total{outcome=Failed} (seed; WE-11)', async () => {
    const { name, target } = unique('total-fail');
    const completed = h.metrics.sum(R.total, { outcome: 'Completed' });
    const failed = h.metrics.sum(R.total, { outcome: 'Failed' });
    await h.submit(request({ name, target, simulate: 'fail' }));
    await h.waitForPhase(name, 'Failed');
    await waitFor('the Failed counter', () => h.metrics.sum(R.total, { outcome: 'Failed' }) > failed);
    expect(h.metrics.sum(R.total, { outcome: 'Failed' }) - failed).toBe(1);
    expect(h.metrics.sum(R.total, { outcome: 'Completed' }) - completed).toBe(0);
  });
});

describe.concurrent('WorkflowExecution Controller Reconciliation', () => {
  describe('PipelineRun Creation', () => {
    it('BR-WE-001: should create PipelineRun when WFE is created (WE-4)', async () => {
      const { name, target } = unique('create');
      await h.submit(request({ name, target, simulate: 'hang' }));
      const running = await h.waitForPhase(name, 'Running');
      const run = await h.pipelineRun(expectedRunName(target));
      expect(run, 'PipelineRun in the execution namespace').toBeDefined();
      expect(running.status.pipelineRunRef?.name).toBe(run!.metadata.name);
      expect(run!.metadata.namespace).toBe('kubernaut-workflows');
      expect(run!.metadata.labels).toMatchObject({
        'kubernaut.ai/workflow-execution': name,
        'kubernaut.ai/workflow-id': 'test-workflow',
        'kubernaut.ai/target-resource': target.replaceAll('/', '__'),
        'kubernaut.ai/source-namespace': 'default',
      });
      expect(run!.metadata.annotations?.['kubernaut.ai/target-resource']).toBe(target);
      expect(run!.spec?.pipelineRef).toEqual({
        resolver: 'bundles',
        params: [
          { name: 'bundle', value: 'ghcr.io/kubernaut/workflows/test@sha256:abc123' },
          { name: 'name', value: 'workflow' },
          { name: 'kind', value: 'pipeline' },
        ],
      });
      await completeRun(h, run!.metadata.name);
    });

    it('BR-WE-002: should pass parameters to PipelineRun (WE-4)', async () => {
      const { name, target } = unique('params');
      await h.submit(request({ name, target }));
      const running = await h.waitForExecution(
        name,
        (we) => Boolean(we.status.pipelineRunRef),
        'to have a run',
      );
      const run = await h.pipelineRun(running.status.pipelineRunRef!.name);
      expect(param(run!, 'NAMESPACE')).toBe('production');
      expect(param(run!, 'DEPLOYMENT_NAME')).toBe('my-service');
      expect(param(run!, 'REPLICA_COUNT')).toBe('3');
    });

    it('BR-WE-002: should include TARGET_RESOURCE parameter (WE-4)', async () => {
      const { name, target } = unique('target-param');
      await h.submit(request({ name, target }));
      const running = await h.waitForExecution(
        name,
        (we) => Boolean(we.status.pipelineRunRef),
        'to have a run',
      );
      const run = await h.pipelineRun(running.status.pipelineRunRef!.name);
      expect(param(run!, 'TARGET_RESOURCE')).toBe(target);
      expect(run!.spec?.params?.filter((p) => p.name === 'TARGET_RESOURCE')).toHaveLength(1);
      expect(run!.spec?.params?.at(-1)).toEqual({ name: 'TARGET_RESOURCE', value: target });
    });
  });

  describe('Status Synchronization', () => {
    it('BR-WE-003: should sync WFE status when PipelineRun succeeds (WE-6)', async () => {
      const { name, target } = unique('sync-ok');
      await h.submit(request({ name, target }));
      // The run as it ended, read before the cooldown's end deletes it (2 s, by timer, on a loaded machine).
      const run = await waitFor('the run to end', async () => {
        const found = await h.pipelineRun(pipelineRunName(target));
        return found?.status?.completionTime ? found : undefined;
      });
      const done = await h.waitForPhase(name, 'Completed');
      expect(done.status.pipelineRunRef?.name).toBe(run.metadata?.name);
      expect(done.status.completionTime).toBeTruthy();
      expect(done.status.duration).toMatch(/^\d+(\.\d+)?(ms|s)$|^(\d+h)?(\d+m)?\d+s$/);
      // completionTime is the PipelineRun's own, not the moment reconcile noticed (never before
      // startTime: the run's has whole seconds).
      expect(Date.parse(done.status.completionTime!)).toBe(
        Math.max(Date.parse(run!.status!.completionTime!), Date.parse(done.status.startTime!)),
      );
      expect(done.status.failureDetails).toBeUndefined();
    });

    it('BR-WE-003: should sync WFE status when PipelineRun fails (WE-6)', async () => {
      const { name, target } = unique('sync-fail');
      await h.submit(request({ name, target, simulate: 'fail' }));
      const failed = await h.waitForPhase(name, 'Failed');
      expect(failed.status.completionTime).toBeTruthy();
      const details = failed.status.failureDetails!;
      expect(details).toBeDefined();
      expect(details.reason).toBe('TaskFailed');
      expect(details.wasExecutionFailure).toBe(true);
      expect(details.failedTaskName).toBe(`${failed.status.pipelineRunRef!.name}-remediate`);
      expect(details.exitCode).toBe(1);
      expect(details.naturalLanguageSummary).toContain(`failed on target '${target}'`);
    });

    it('BR-WE-003: a run that ends within the second it started never shows completionTime before startTime — Kubernetes times have whole seconds (WE-5, WE-6)', async () => {
      const { name, target } = unique('sync-same-second');
      const { running, runName } = await runningHeld(h, name, target);
      const startTime = Date.parse(running.status.startTime!);
      // Tekton writes metav1.Time: the completion it reports is truncated to the second.
      const completionTime = new Date(Math.floor(startTime / 1000) * 1000).toISOString();
      await completeRun(h, runName, completionTime);
      const done = await h.waitForPhase(name, 'Completed');
      expect(Date.parse(done.status.completionTime!)).toBeGreaterThanOrEqual(startTime);
      expect(done.status.duration).toBe('0s');
      const [event] = await auditEventsOf(h, name, 'workflow.completed');
      expect(Date.parse(String(event!.event_data.completed_at))).toBeGreaterThanOrEqual(
        Date.parse(String(event!.event_data.started_at)),
      );
    });

    it('BR-WE-003: should populate PipelineRunStatus during Running phase (WE-5, WE-6)', async () => {
      const { name, target } = unique('prstatus');
      await runningHeld(h, name, target);
      // Kubernaut asserted only pipelineRunRef; the summary itself is what this scenario is about.
      const we = await h.waitForExecution(
        name,
        (w) => w.status.pipelineRunStatus?.reason === 'Running',
        'to show the run as Running',
      );
      expect(we.status.phase).toBe('Running');
      expect(we.status.pipelineRunRef?.name).toBe(expectedRunName(target));
      expect(we.status.pipelineRunStatus).toMatchObject({
        status: 'Unknown',
        reason: 'Running',
        totalTasks: 1,
      });
      await completeRun(h, we.status.pipelineRunRef!.name);
    });
  });

  describe('Owner Reference and Cascade Deletion', () => {
    it('BR-WE-004: should set owner reference on PipelineRun — as owner labels, since the run is in another namespace (WE-4)', async () => {
      const { name, target } = unique('owner');
      await h.submit(request({ name, target, simulate: 'hang' }));
      await h.waitForPhase(name, 'Running');
      const run = await h.pipelineRun(expectedRunName(target));
      // An ownerReference cannot cross namespaces; the labels are what ties the run to its execution.
      expect(run!.metadata.ownerReferences ?? []).toEqual([]);
      expect(run!.metadata.labels?.['kubernaut.ai/workflow-execution']).toBe(name);
      expect(run!.metadata.labels?.['kubernaut.ai/source-namespace']).toBe('default');
      await completeRun(h, run!.metadata.name);
    });
  });

  describe('ServiceAccount Configuration', () => {
    it('BR-WE-006: should use default ServiceAccount when not specified (WE-4)', async () => {
      const { name, target } = unique('sa-default');
      await h.submit(request({ name, target }));
      const we = await h.waitForExecution(name, (w) => Boolean(w.status.pipelineRunRef), 'to have a run');
      const run = await h.pipelineRun(we.status.pipelineRunRef!.name);
      expect(run!.spec?.taskRunTemplate?.serviceAccountName).toBe('kubernaut-workflow-runner');
    });

    it('BR-WE-006: should ignore ExecutionConfig ServiceAccount and use controller default — deliberately different: wfe honours spec.executionConfig.serviceAccountName (WE-4)', async () => {
      const { name, target } = unique('sa-custom');
      await h.submit(request({ name, target, serviceAccountName: 'custom-workflow-sa' }));
      const we = await h.waitForExecution(name, (w) => Boolean(w.status.pipelineRunRef), 'to have a run');
      const run = await h.pipelineRun(we.status.pipelineRunRef!.name);
      expect(run!.spec?.taskRunTemplate?.serviceAccountName).toBe('custom-workflow-sa');
    });
  });

  describe('Phase Transitions', () => {
    /** Every phase `wfe get` showed, in order, until a terminal one. */
    async function phasesOf(name: string): Promise<string[]> {
      const seen: string[] = [];
      await h.waitForExecution(
        name,
        (we) => {
          if (seen.at(-1) !== we.status.phase) seen.push(we.status.phase);
          return we.status.phase === 'Completed' || we.status.phase === 'Failed';
        },
        'to end',
        { intervalMs: 50 },
      );
      return seen;
    }

    it('BR-WE-003: should transition Pending → Running → Completed (WE-5)', async () => {
      const { name, target } = unique('phases-ok');
      await h.submit(request({ name, target, runFor: '1s' }));
      const seen = await phasesOf(name);
      // Pending may pass unseen (execute is quick); the order never goes back.
      expect(['Pending,Running,Completed', 'Running,Completed']).toContain(seen.join(','));
      const we = (await h.get(name))!;
      expect(Date.parse(we.status.startTime!)).toBeLessThanOrEqual(Date.parse(we.status.completionTime!));
    });

    it('BR-WE-003: should transition Pending → Running → Failed (WE-5)', async () => {
      const { name, target } = unique('phases-fail');
      await h.submit(request({ name, target, simulate: 'fail', runFor: '1s' }));
      const seen = await phasesOf(name);
      expect(['Pending,Running,Failed', 'Running,Failed']).toContain(seen.join(','));
      expect((await h.get(name))!.status.failureDetails).toBeDefined();
    });
  });

  describe('Audit Events during Reconciliation', () => {
    it('BR-WE-005: should persist workflow.started audit event with correct field values (WE-9, WE-10)', async () => {
      const { name, target } = unique('audit-started');
      await h.submit(request({ name, target }));
      const [event] = await auditEventsOf(h, name, 'workflow.started');
      expect(event).toMatchObject({
        version: '1.0',
        event_type: 'workflow.started',
        event_category: 'workflow',
        event_action: 'started',
        event_outcome: 'success',
        actor_type: 'service',
        actor_id: 'workflowexecution-controller',
        resource_type: 'WorkflowExecution',
        resource_id: name,
        correlation_id: name,
        namespace: 'default',
      });
      expect(event!.event_data).toMatchObject({
        workflow_id: 'test-workflow',
        workflow_version: 'v1.0.0',
        target_resource: target,
        phase: 'Running',
        container_image: 'ghcr.io/kubernaut/workflows/test@sha256:abc123',
        execution_name: name,
        pipelinerun_name: expectedRunName(target),
      });
    });

    it('BR-WE-005: should persist workflow.completed audit event with correct field values (WE-9, WE-10)', async () => {
      const { name, target } = unique('audit-completed');
      await h.submit(request({ name, target }));
      const done = await h.waitForPhase(name, 'Completed');
      const [event] = await auditEventsOf(h, name, 'workflow.completed');
      expect(event).toMatchObject({
        event_action: 'completed',
        event_outcome: 'success',
        correlation_id: name,
      });
      expect(event!.event_data).toMatchObject({
        phase: 'Completed',
        started_at: done.status.startTime,
        completed_at: done.status.completionTime,
        duration: done.status.duration,
        pipelinerun_name: done.status.pipelineRunRef!.name,
      });
    });

    it('BR-WE-005: should persist workflow.failed audit event with failure details (WE-9, WE-10)', async () => {
      const { name, target } = unique('audit-failed');
      await h.submit(request({ name, target, simulate: 'fail' }));
      const failed = await h.waitForPhase(name, 'Failed');
      const [event] = await auditEventsOf(h, name, 'workflow.failed');
      expect(event).toMatchObject({ event_action: 'failed', event_outcome: 'failure', correlation_id: name });
      expect(event!.event_data).toMatchObject({
        phase: 'Failed',
        failure_reason: 'TaskFailed',
        failure_message: failed.status.failureDetails!.message,
        failed_task_name: failed.status.failureDetails!.failedTaskName,
      });
      expect(String(event!.event_data.failure_message)).not.toBe('');
    });

    it('BR-WE-005: should include correlation ID in audit events when present — label, else remediationRequestRef.name, else the name (WE-9)', async () => {
      const labelled = unique('corr-label');
      const corr = `test-corr-${labelled.name.slice(-8)}`;
      const parented = unique('corr-rr');
      const rr = `rr-${parented.name.slice(-8)}`;
      const plain = unique('corr-none');
      await h.submit(
        request({
          ...labelled,
          labels: { 'kubernaut.ai/correlation-id': corr },
          remediationRequest: 'rr-ignored',
        }),
      );
      await h.submit(request({ ...parented, remediationRequest: rr }));
      await h.submit(request(plain));
      const [byLabel] = await auditEventsOf(h, corr, 'workflow.started');
      const [byParent] = await auditEventsOf(h, rr, 'workflow.started');
      const [byName] = await auditEventsOf(h, plain.name, 'workflow.started');
      expect(byLabel!.resource_id).toBe(labelled.name);
      expect(byParent!.resource_id).toBe(parented.name);
      expect(byName!.resource_id).toBe(plain.name);
      // Nothing for the labelled one under its name or its (overridden) parent.
      expect((await h.audit({ correlation_id: labelled.name })).pagination.total).toBe(0);
      expect((await h.audit({ correlation_id: 'rr-ignored' })).pagination.total).toBe(0);
    });
  });

  describe('BR-WE-009: Resource Locking for Target Resources', () => {
    it('BR-WE-009: should prevent parallel execution on the same target resource via deterministic PipelineRun names — the second ends Deduplicated (WE-1, WE-2)', async () => {
      const first = unique('lock-first');
      const second = `lock-second-${first.name.slice(-8)}`;
      const { runName, run } = await runningHeld(h, first.name, first.target);
      await h.submit(request({ name: second, target: first.target }));
      const failed = await h.waitForPhase(second, 'Failed');
      // Kubernaut (Dec) said Unknown/"Race condition … already exists"; HEAD and wfe say Deduplicated.
      expect(failed.status.failureDetails).toMatchObject({
        reason: 'Deduplicated',
        wasExecutionFailure: false,
      });
      expect(failed.status.failureDetails!.message).toContain(runName);
      expect(failed.status.deduplicatedBy).toBe(`default/default/${first.name}`);
      expect(failed.status.pipelineRunRef).toBeUndefined();
      // The first is untouched: still Running on the same run.
      const holder = await h.get(first.name);
      expect(holder!.status.phase).toBe('Running');
      const still = await h.pipelineRun(runName);
      expect(still!.metadata.uid).toBe(run.metadata.uid);
      expect(still!.metadata.labels?.['kubernaut.ai/workflow-execution']).toBe(first.name);
      const [event] = await auditEventsOf(h, second, 'workflow.failed');
      expect(event!.event_data).toMatchObject({ failure_reason: 'Deduplicated' });
      await completeRun(h, runName);
    });

    it('BR-WE-009: should allow parallel execution on different target resources (WE-1)', async () => {
      const a = unique('parallel-a');
      const b = unique('parallel-b');
      await Promise.all([
        h.submit(request({ ...a, simulate: 'hang' })),
        h.submit(request({ ...b, simulate: 'hang' })),
      ]);
      const [ra, rb] = await Promise.all([
        h.waitForPhase(a.name, 'Running'),
        h.waitForPhase(b.name, 'Running'),
      ]);
      expect(ra.status.pipelineRunRef!.name).not.toBe(rb.status.pipelineRunRef!.name);
      // Both at once, not one after the other.
      expect((await h.get(a.name))!.status.phase).toBe('Running');
      expect((await h.get(b.name))!.status.phase).toBe('Running');
      const holders = (await h.locks()).filter((l) => l.target === a.target || l.target === b.target);
      expect(holders.map((l) => l.holder).sort()).toEqual(
        [`default/default/${a.name}`, `default/default/${b.name}`].sort(),
      );
      await Promise.all([
        completeRun(h, ra.status.pipelineRunRef!.name),
        completeRun(h, rb.status.pipelineRunRef!.name),
      ]);
    });

    it('BR-WE-009: should use deterministic PipelineRun names based on target resource hash (WE-4)', async () => {
      const { name, target } = unique('names');
      await h.submit(request({ name, target }));
      const we = await h.waitForExecution(name, (w) => Boolean(w.status.pipelineRunRef), 'to have a run');
      const runName = we.status.pipelineRunRef!.name;
      expect(runName).toMatch(/^wfe-[0-9a-f]{16}$/);
      expect(runName).toHaveLength(20);
      expect(runName).toBe(expectedRunName(target));
    });

    it('BR-WE-009: should release lock after cooldown period expires — looking in the execution namespace, where Kubernaut did not (WE-7)', async () => {
      const { name, target } = unique('release');
      await h.submit(request({ name, target }));
      const done = await h.waitForPhase(name, 'Completed');
      const runName = done.status.pipelineRunRef!.name;
      const released = await h.waitForExecution(
        name,
        (w) => Boolean(condition(w, 'LockReleased')),
        'LockReleased',
        {
          timeoutMs: h.cooldownMs + 30_000,
        },
      );
      // Kubernaut looked for the run in "default" (where it never was); it is in the execution namespace.
      expect(await h.pipelineRun(runName, 'kubernaut-workflows')).toBeUndefined();
      expect((await h.locks()).find((l) => l.target === target)).toBeUndefined();
      expect(Date.parse(condition(released, 'LockReleased')!.lastTransitionTime)).toBeGreaterThanOrEqual(
        releaseAtOf(done),
      );
    });

    it('BR-WE-009: should handle external PipelineRun deletion gracefully (lock stolen) — failed, then released after cooldown, then the target is free (seed; WE-6, WE-7)', async () => {
      const { name, target } = unique('stolen');
      const { runName, run } = await runningHeld(h, name, target);
      await h.custom.deleteNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        namespace: h.namespace,
        plural: 'pipelineruns',
        name: runName,
      });
      const failed = await h.waitForPhase(name, 'Failed');
      expect(failed.status.failureDetails).toMatchObject({
        reason: 'Unknown',
        message: 'PipelineRun was deleted externally',
        wasExecutionFailure: false,
      });
      // The stolen lock is still the failed execution's until its cooldown ends (WE-6, WE-7).
      await h.waitForExecution(name, (w) => Boolean(condition(w, 'LockReleased')), 'LockReleased', {
        timeoutMs: h.cooldownMs + 30_000,
      });
      const next = `stolen-next-${name.slice(-8)}`;
      await h.submit(request({ name: next, target }));
      const running = await h.waitForExecution(next, (w) => Boolean(w.status.startTime), 'to start');
      const fresh = await h.pipelineRun(runName);
      expect(running.status.pipelineRunRef!.name).toBe(runName);
      if (fresh) {
        expect(fresh.metadata.uid).not.toBe(run.metadata.uid);
        expect(fresh.metadata.labels?.['kubernaut.ai/workflow-execution']).toBe(next);
      }
    });
  });

  describe('BR-WE-010: Cooldown Period Between Sequential Executions', () => {
    it('BR-WE-010: should wait cooldown period before releasing lock after completion (WE-3, WE-7)', async () => {
      const { name, target } = unique('cool-wait');
      await h.submit(request({ name, target }));
      const done = await h.waitForPhase(name, 'Completed', { intervalMs: 50 });
      const runName = done.status.pipelineRunRef!.name;
      const [run, lock] = await Promise.all([
        h.pipelineRun(runName),
        h.locks().then((all) => all.find((l) => l.target === target)),
      ]);
      // Right after completion, the run (the lock, in Kubernaut) and the lock are still there: both
      // reads were answered before the cooldown's end, if the test was quick enough to look then.
      if (Date.now() < releaseAtOf(done)) {
        expect(run, 'run during cooldown').toBeDefined();
        expect(lock).toMatchObject({ state: 'cooling', holder: `default/${name}` });
        expect(Date.parse(lock!.releaseAt!)).toBe(releaseAtOf(done));
      }
      const released = await h.waitForExecution(
        name,
        (w) => Boolean(condition(w, 'LockReleased')),
        'LockReleased',
        {
          timeoutMs: h.cooldownMs + 30_000,
        },
      );
      // Never before the cooldown's end. (How soon after it — SPEC §7's 1 s — is measured by `npm run
      // bench`: here two dozen executions end in the same tick on a shared machine.)
      const at = Date.parse(condition(released, 'LockReleased')!.lastTransitionTime);
      expect(at).toBeGreaterThanOrEqual(releaseAtOf(done));
      expect(await h.pipelineRun(runName)).toBeUndefined();
    });

    it('BR-WE-010: should emit LockReleased event when cooldown expires (WE-7)', async () => {
      const { name, target } = unique('cool-event');
      await h.submit(request({ name, target }));
      const done = await h.waitForPhase(name, 'Completed');
      const runName = done.status.pipelineRunRef!.name;
      const events = await waitFor(
        'a LockReleased Event',
        async () => {
          const found = (await h.events(runName)).filter((e) => e.reason === 'LockReleased');
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: h.cooldownMs + 30_000 },
      );
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event!.type).toBe('Normal');
      expect(event!.message).toBe(`Lock released for ${target} after cooldown`);
      expect(event!.involvedObject).toMatchObject({
        kind: 'PipelineRun',
        name: runName,
        namespace: h.namespace,
      });
      expect(event!.source?.component).toBe('workflowexecution-controller');
      // Event times have whole seconds.
      const at = new Date(event!.lastTimestamp ?? event!.firstTimestamp ?? 0).getTime();
      expect(at).toBeGreaterThanOrEqual(Math.floor(releaseAtOf(done) / 1000) * 1000);
    });

    it('BR-WE-010: should skip cooldown check if CompletionTime is not set — a run that ends without one is completed now and its lock still goes (seed; WE-3, WE-7)', async () => {
      const { name, target } = unique('no-completion');
      const { runName } = await runningHeld(h, name, target);
      const endedAt = Date.now();
      await h.updateStatus('pipelineruns', runName, (status) => {
        const { completionTime: _none, ...rest } = status;
        return {
          ...rest,
          conditions: [succeededCondition('True', 'Succeeded', 'All Tasks have completed executing')],
        };
      });
      const done = await h.waitForPhase(name, 'Completed');
      expect(done.status.completionTime, 'completion time = when it was seen to end').toBeTruthy();
      expect(Date.parse(done.status.completionTime!)).toBeGreaterThanOrEqual(endedAt - 1000);
      const released = await h.waitForExecution(
        name,
        (w) => Boolean(condition(w, 'LockReleased')),
        'LockReleased',
        {
          timeoutMs: h.cooldownMs + 30_000,
        },
      );
      expect(Date.parse(condition(released, 'LockReleased')!.lastTransitionTime)).toBeGreaterThanOrEqual(
        releaseAtOf(done),
      );
      expect((await h.locks()).find((l) => l.target === target)).toBeUndefined();
    });
  });
});
