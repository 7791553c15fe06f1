/**
 * Kubernaut's audit_comprehensive_test.go ("Comprehensive Audit Trail Integration Tests") and
 * audit_flow_integration_test.go ("WorkflowExecution Audit Flow Integration Tests"): every phase
 * change leaves its record (WE-9), and the records reach DataStorage (WE-10), read back through
 * its query endpoint as Kubernaut's tests read them.
 */
import { describe, expect, it } from 'vitest';
import { type AuditEvent, acceptanceSystem, auditEventsOf, completeRun, request, unique } from './harness.js';

const h = acceptanceSystem();

/** The AuditEventRequest fields DataStorage requires, with their limits (reference §6). */
function expectValidEnvelope(event: AuditEvent) {
  expect(event.version).toBe('1.0');
  for (const [field, max] of [
    ['event_type', 100],
    ['event_category', 50],
    ['event_action', 50],
    ['correlation_id', 255],
  ] as const) {
    expect(typeof event[field]).toBe('string');
    expect(event[field].length).toBeGreaterThan(0);
    expect(event[field].length).toBeLessThanOrEqual(max);
  }
  expect(['success', 'failure', 'pending']).toContain(event.event_outcome);
  expect(Number.isNaN(Date.parse(event.event_timestamp))).toBe(false);
  expect(event.event_data).toBeTypeOf('object');
  expect(event.event_action).toBe(event.event_type.split('.').at(-1));
}

describe.concurrent('Comprehensive Audit Trail Integration Tests', () => {
  describe('workflow.started audit event', () => {
    it('BR-WE-005: should emit workflow.started when WorkflowExecution transitions to Running — stamped with the transition (WE-9)', async () => {
      const { name, target } = unique('a-started');
      await h.submit(request({ name, target, simulate: 'hang' }));
      const running = await h.waitForPhase(name, 'Running');
      const [event] = await auditEventsOf(h, name, 'workflow.started');
      expect(event!.event_data.phase).toBe('Running');
      // Written in the same transaction as the phase change: the same instant. DataStorage returns
      // it as Go prints a time (no trailing zeros: .520Z comes back .52Z), so compare instants.
      expect(Date.parse(event!.event_timestamp)).toBe(Date.parse(running.status.startTime!));
      expect(event!.event_data.started_at).toBe(running.status.startTime);
      await completeRun(h, running.status.pipelineRunRef!.name);
    });

    it('BR-WE-005: should include required audit metadata in workflow.started event — the whole envelope and payload, no terminal fields (WE-9)', async () => {
      const { name, target } = unique('a-meta');
      await h.submit(request({ name, target, simulate: 'hang' }));
      const [event] = await auditEventsOf(h, name, 'workflow.started');
      expectValidEnvelope(event!);
      expect(event).toMatchObject({
        event_category: 'workflow',
        event_outcome: 'success',
        actor_type: 'service',
        actor_id: 'workflowexecution-controller',
        resource_type: 'WorkflowExecution',
        resource_id: name,
        namespace: 'default',
      });
      const data = event!.event_data;
      for (const key of [
        'workflow_id',
        'workflow_version',
        'target_resource',
        'phase',
        'container_image',
        'execution_name',
      ])
        expect(data[key], key).toBeTruthy();
      for (const key of ['completed_at', 'duration', 'failure_reason', 'failure_message', 'failed_task_name'])
        expect(data[key], key).toBeUndefined();
      await completeRun(h, String(data.pipelinerun_name));
    });
  });

  describe('workflow.completed audit event', () => {
    it('BR-WE-005: should emit workflow.completed when PipelineRun succeeds (WE-9)', async () => {
      const { name, target } = unique('a-completed');
      await h.submit(request({ name, target }));
      const done = await h.waitForPhase(name, 'Completed');
      expect(done.status.startTime).toBeTruthy();
      expect(done.status.completionTime).toBeTruthy();
      const [event] = await auditEventsOf(h, name, 'workflow.completed');
      expectValidEnvelope(event!);
      expect(event!.event_outcome).toBe('success');
      expect(event!.event_data).toMatchObject({
        phase: 'Completed',
        completed_at: done.status.completionTime,
      });
    });
  });

  describe('workflow.failed audit event', () => {
    it('BR-WE-005: should emit workflow.failed with pre-execution failure details — an empty containerImage (WE-9, §2)', async () => {
      const { name, target } = unique('a-preexec');
      // `wfe submit` would refuse it; any SQS client can still send it.
      await h.send(JSON.stringify(request({ name, target, image: '' })));
      const failed = await h.waitForPhase(name, 'Failed');
      expect(failed.status.failureDetails).toMatchObject({
        reason: 'ConfigurationError',
        wasExecutionFailure: false,
      });
      expect(failed.status.failureDetails!.message).toContain('containerImage');
      expect(failed.status.startTime).toBeUndefined();
      const [event] = await auditEventsOf(h, name, 'workflow.failed');
      expectValidEnvelope(event!);
      expect(event!.event_outcome).toBe('failure');
      expect(event!.event_data).toMatchObject({
        phase: 'Failed',
        failure_reason: 'ConfigurationError',
        failure_message: failed.status.failureDetails!.message,
      });
      expect((await h.audit({ correlation_id: name })).pagination.total).toBe(1);
    });
  });

  describe('audit event ordering and completeness', () => {
    it('BR-WE-005: should emit audit events in correct lifecycle order — started then completed, once each (WE-9, WE-10)', async () => {
      const { name, target } = unique('a-order');
      await h.submit(request({ name, target, runFor: '1s' }));
      const seen: string[] = [];
      await h.waitForExecution(
        name,
        (we) => {
          if (seen.at(-1) !== we.status.phase) seen.push(we.status.phase);
          return we.status.phase === 'Completed';
        },
        'to complete',
        { intervalMs: 50 },
      );
      expect(['Pending,Running,Completed', 'Running,Completed']).toContain(seen.join(','));
      await auditEventsOf(h, name, 'workflow.completed');
      const page = await h.audit({ correlation_id: name });
      // Newest first, as DataStorage orders them.
      expect(page.data.map((e) => e.event_type)).toEqual(['workflow.completed', 'workflow.started']);
      const [completed, started] = page.data;
      expect(Date.parse(started!.event_timestamp)).toBeLessThan(Date.parse(completed!.event_timestamp));
    });
  });
});

describe.concurrent('WorkflowExecution Audit Flow Integration Tests', () => {
  describe('when workflow execution starts (BR-WE-005)', () => {
    it("BR-WE-005: should emit 'workflow.started' audit event to Data Storage — exactly one (WE-9, WE-10)", async () => {
      const { name, target } = unique('flow-started');
      await h.submit(request({ name, target }));
      await auditEventsOf(h, name, 'workflow.started');
      const page = await h.audit({
        event_type: 'workflow.started',
        event_category: 'workflow',
        correlation_id: name,
      });
      expect(page.pagination.total).toBe(1);
      expect(page.data[0]).toMatchObject({
        event_category: 'workflow',
        event_action: 'started',
        resource_type: 'WorkflowExecution',
      });
    });
  });

  describe('when workflow execution completes (BR-WE-005)', () => {
    it('BR-WE-005: should track workflow lifecycle through audit events — started and completed (WE-9, WE-10)', async () => {
      const { name, target } = unique('flow-lifecycle');
      await h.submit(request({ name, target }));
      await h.waitForPhase(name, 'Completed');
      await auditEventsOf(h, name, 'workflow.completed');
      const types = (await h.audit({ correlation_id: name })).data.map((e) => e.event_type).sort();
      expect(types).toEqual(['workflow.completed', 'workflow.started']);
    });
  });
});
