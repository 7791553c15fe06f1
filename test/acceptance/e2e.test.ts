/**
 * Kubernaut's Dec 2025 E2E suite (Kind + real Tekton + DataStorage): 01 "WorkflowExecution Lifecycle
 * E2E" and 02 "WorkflowExecution Observability E2E". The whole local system stands in for the Kind
 * cluster: Tekton is the simulator in auto mode (WFE_SIMULATE), DataStorage the built-in one, and
 * the metrics endpoint is the functions' EMF output.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptanceSystem,
  auditEventsOf,
  condition,
  request,
  runningHeld,
  succeededCondition,
  unique,
  waitFor,
} from './harness.js';

const h = acceptanceSystem({ metrics: true });

const TOTAL = 'workflowexecution_reconciler_total';
const DURATION = 'workflowexecution_reconciler_duration_seconds';
const CREATIONS = 'workflowexecution_reconciler_pipelinerun_creations_total';

describe.concurrent('WorkflowExecution Lifecycle E2E', () => {
  it('BR-WE-001: should execute workflow to completion (WE-4, WE-6)', async () => {
    const { name, target } = unique('e2e-complete');
    await h.submit(request({ name, target }));
    const done = await h.waitForPhase(name, 'Completed');
    expect(condition(done, 'TektonPipelineComplete')?.status).toBe('True');
    const run = await h.pipelineRun(done.status.pipelineRunRef!.name);
    if (run) expect(run.status?.conditions?.find((c) => c.type === 'Succeeded')?.status).toBe('True');
  });

  it('BR-WE-004: should populate failure details when workflow fails (WE-6)', async () => {
    const { name, target } = unique('e2e-fail');
    await h.submit(request({ name, target, simulate: 'fail' }));
    const failed = await h.waitForPhase(name, 'Failed');
    // Real Tekton's message for a failed task, classified TaskFailed.
    expect(failed.status.failureDetails!.message).toMatch(/^Tasks Completed: 1 \(Failed: 1/);
    expect(failed.status.failureDetails!.reason).toBe('TaskFailed');
    expect(condition(failed, 'TektonPipelineComplete')).toMatchObject({
      status: 'False',
      reason: 'TaskFailed',
    });
  });

  it('BR-WE-010: should skip cooldown check when CompletionTime is not set — a failed run without one ends now and its lock still goes (WE-3, WE-7)', async () => {
    const { name, target } = unique('e2e-nocompletion');
    const { runName } = await runningHeld(h, name, target);
    await h.updateStatus('pipelineruns', runName, (status) => {
      const { completionTime: _none, ...rest } = status;
      return {
        ...rest,
        conditions: [
          succeededCondition('False', 'Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0'),
        ],
      };
    });
    const failed = await h.waitForPhase(name, 'Failed');
    expect(failed.status.completionTime).toBeTruthy();
    expect(failed.status.failureDetails!.reason).toBe('TaskFailed');
    // Kubernaut (Dec) never released such a lock; a next request on the target runs after the cooldown.
    const next = `e2e-nocompletion-next-${name.slice(-8)}`;
    await h.submit(request({ name: next, target }));
    const started = await h.waitForExecution(next, (we) => Boolean(we.status.startTime), 'to start', {
      timeoutMs: h.cooldownMs + 30_000,
    });
    expect(Date.parse(started.status.startTime!)).toBeGreaterThanOrEqual(
      Date.parse(failed.status.completionTime!) + h.cooldownMs,
    );
  });
});

describe.concurrent('WorkflowExecution Observability E2E', () => {
  it('should emit Kubernetes events for phase transitions — WorkflowCompleted, WorkflowFailed, LockReleased (WE-6, WE-7)', async () => {
    const ok = unique('e2e-events-ok');
    const bad = unique('e2e-events-fail');
    await Promise.all([h.submit(request(ok)), h.submit(request({ ...bad, simulate: 'fail' }))]);
    const [done, failed] = await Promise.all([
      h.waitForPhase(ok.name, 'Completed'),
      h.waitForPhase(bad.name, 'Failed'),
    ]);
    const okEvents = await waitFor(
      'WorkflowCompleted and LockReleased Events',
      async () => {
        const events = await h.events(done.status.pipelineRunRef!.name);
        const reasons = events.map((e) => e.reason);
        return reasons.includes('WorkflowCompleted') && reasons.includes('LockReleased') ? events : undefined;
      },
      { timeoutMs: h.cooldownMs + 30_000 },
    );
    const completed = okEvents.find((e) => e.reason === 'WorkflowCompleted')!;
    expect(completed).toMatchObject({
      type: 'Normal',
      message: `Workflow test-workflow completed successfully in ${done.status.duration}`,
    });
    const badEvents = await h.events(failed.status.pipelineRunRef!.name);
    expect(badEvents.find((e) => e.reason === 'WorkflowFailed')).toMatchObject({
      type: 'Warning',
      message: 'Workflow test-workflow failed: TaskFailed',
    });
  });

  it('BR-WE-007: should mark the execution Failed when its PipelineRun is deleted externally (WE-6)', async () => {
    const { name, target } = unique('e2e-deleted');
    const { runName } = await runningHeld(h, name, target);
    await h.custom.deleteNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: h.namespace,
      plural: 'pipelineruns',
      name: runName,
    });
    const failed = await h.waitForPhase(name, 'Failed');
    expect(failed.status.failureDetails!.message).toMatch(/not found|deleted|NotFound/);
  });

  it('BR-WE-008: should expose the workflowexecution_reconciler_* metrics with an outcome label (WE-11)', async () => {
    const { name, target } = unique('e2e-metrics-names');
    await h.submit(request({ name, target }));
    await h.waitForPhase(name, 'Completed');
    await waitFor(
      'the three metrics',
      () => h.metrics.of(TOTAL).length > 0 && h.metrics.of(DURATION).length > 0,
    );
    expect(h.metrics.of(CREATIONS).length).toBeGreaterThan(0);
    expect(h.metrics.of(TOTAL).every((s) => s.dimensions.outcome !== undefined)).toBe(true);
    expect(h.metrics.of(DURATION).every((s) => s.dimensions.outcome !== undefined)).toBe(true);
  });

  it('BR-WE-008: should increment the Completed and Failed counters (WE-11)', async () => {
    const completed = h.metrics.sum(TOTAL, { outcome: 'Completed' });
    const failed = h.metrics.sum(TOTAL, { outcome: 'Failed' });
    const ok = unique('e2e-count-ok');
    const bad = unique('e2e-count-fail');
    await Promise.all([h.submit(request(ok)), h.submit(request({ ...bad, simulate: 'fail' }))]);
    await Promise.all([h.waitForPhase(ok.name, 'Completed'), h.waitForPhase(bad.name, 'Failed')]);
    await waitFor(
      'both counters to move',
      () =>
        h.metrics.sum(TOTAL, { outcome: 'Completed' }) > completed &&
        h.metrics.sum(TOTAL, { outcome: 'Failed' }) > failed,
    );
  });

  it('BR-WE-005: should persist audit events to DataStorage — started, then completed or failed (WE-9, WE-10)', async () => {
    const ok = unique('e2e-audit-ok');
    const bad = unique('e2e-audit-fail');
    await Promise.all([h.submit(request(ok)), h.submit(request({ ...bad, simulate: 'fail' }))]);
    await auditEventsOf(h, ok.name, 'workflow.completed');
    await auditEventsOf(h, bad.name, 'workflow.failed');
    const okTypes = (await h.audit({ correlation_id: ok.name })).data.map((e) => e.event_type);
    const badTypes = (await h.audit({ correlation_id: bad.name })).data.map((e) => e.event_type);
    expect(okTypes).toEqual(['workflow.completed', 'workflow.started']);
    expect(badTypes).toEqual(['workflow.failed', 'workflow.started']);
  });

  it('BR-WE-005: should include the workflow.failed event_data fields (WE-9)', async () => {
    const { name, target } = unique('e2e-failed-data');
    await h.submit(request({ name, target, simulate: 'fail' }));
    const failed = await h.waitForPhase(name, 'Failed');
    const [event] = await auditEventsOf(h, name, 'workflow.failed');
    expect(event!.event_data).toMatchObject({
      workflow_id: 'test-workflow',
      workflow_version: 'v1.0.0',
      target_resource: target,
      phase: 'Failed',
      failure_reason: 'TaskFailed',
      failure_message: failed.status.failureDetails!.message,
      failed_task_name: failed.status.failureDetails!.failedTaskName,
    });
  });

  it('BR-WE-005: should carry the payload fields, with the terminal ones on completion (WE-9)', async () => {
    const { name, target } = unique('e2e-payload');
    await h.submit(request({ name, target }));
    const done = await h.waitForPhase(name, 'Completed');
    const [event] = await auditEventsOf(h, name, 'workflow.completed');
    expect(event!.event_data).toEqual({
      workflow_id: 'test-workflow',
      workflow_version: 'v1.0.0',
      target_resource: target,
      phase: 'Completed',
      container_image: 'ghcr.io/kubernaut/workflows/test@sha256:abc123',
      execution_name: name,
      started_at: done.status.startTime,
      completed_at: done.status.completionTime,
      duration: done.status.duration,
      pipelinerun_name: done.status.pipelineRunRef!.name,
    });
  });

  it('BR-WE-003: should sync status from the PipelineRun — startTime, completionTime, duration (WE-5, WE-6)', async () => {
    const { name, target } = unique('e2e-sync');
    await h.submit(request({ name, target, runFor: '2s' }));
    const done = await h.waitForPhase(name, 'Completed');
    const start = Date.parse(done.status.startTime!);
    const end = Date.parse(done.status.completionTime!);
    // A 2 s run; the completion Tekton reports has whole seconds, so at least 1 s of it shows.
    expect(end - start).toBeGreaterThanOrEqual(1000);
    // Go's Duration.Round(time.Second).String(), as Kubernaut writes it.
    expect(done.status.duration).toBe(`${Math.round((end - start) / 1000)}s`);
  });
});
