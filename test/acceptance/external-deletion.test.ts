/**
 * Kubernaut's external_deletion_test.go ("BR-WE-007: Handle Externally Deleted PipelineRun"): a run
 * deleted by someone else (an operator, Tekton's pruner) fails its execution, once, with a message
 * that says so (WE-6).
 */
import { describe, expect, it } from 'vitest';
import {
  acceptanceSystem,
  auditEventsOf,
  condition,
  expectedRunName,
  request,
  runningHeld,
  unique,
  waitFor,
} from './harness.js';

const h = acceptanceSystem();

const deleteRun = (name: string) =>
  h.custom.deleteNamespacedCustomObject({
    group: 'tekton.dev',
    version: 'v1',
    namespace: h.namespace,
    plural: 'pipelineruns',
    name,
  });

const DELETED = 'PipelineRun was deleted externally';

describe.concurrent('BR-WE-007: Handle Externally Deleted PipelineRun', () => {
  describe('External Deletion During Running Phase', () => {
    it('BR-WE-007: should detect PipelineRun deletion and mark WFE as Failed — and it stays Failed (WE-6)', async () => {
      const { name, target } = unique('deleted');
      const { runName } = await runningHeld(h, name, target);
      await deleteRun(runName);
      const failed = await h.waitForPhase(name, 'Failed');
      expect(failed.status.failureDetails).toMatchObject({
        reason: 'Unknown',
        message: DELETED,
        wasExecutionFailure: false,
        failedTaskName: '',
      });
      expect(failed.status.failureDetails!.naturalLanguageSummary).toContain(DELETED);
      expect(condition(failed, 'TektonPipelineComplete')).toMatchObject({
        status: 'False',
        reason: 'PipelineFailed',
      });
      // Stays Failed, with no retry loop: a cooldown's worth of reconcile ticks later (when its
      // lock goes) nothing else has moved, and there is one workflow.failed.
      const later = await h.waitForExecution(
        name,
        (we) => Boolean(condition(we, 'LockReleased')),
        'LockReleased',
        {
          timeoutMs: h.cooldownMs + 30_000,
        },
      );
      expect(later.status.phase).toBe('Failed');
      expect(later.status.failureDetails).toEqual(failed.status.failureDetails);
      await auditEventsOf(h, name, 'workflow.failed');
      expect((await h.audit({ correlation_id: name })).data.map((e) => e.event_type).sort()).toEqual([
        'workflow.failed',
        'workflow.started',
      ]);
    });

    it('BR-WE-007: should set AuditRecorded condition when PipelineRun is deleted externally — and the workflow.failed record reaches DataStorage (WE-6, WE-9)', async () => {
      const { name, target } = unique('deleted-audit');
      const { runName } = await runningHeld(h, name, target);
      await deleteRun(runName);
      const failed = await h.waitForPhase(name, 'Failed');
      expect(condition(failed, 'AuditRecorded')).toMatchObject({
        status: 'True',
        reason: 'AuditSucceeded',
        message: 'Audit event workflow.failed recorded to DataStorage',
      });
      const [event] = await auditEventsOf(h, name, 'workflow.failed');
      expect(event!.event_data).toMatchObject({ failure_reason: 'Unknown', failure_message: DELETED });
    });

    it('BR-WE-007: should handle deletion during Pending phase gracefully — the run deleted as soon as it exists (WE-6)', async () => {
      const { name, target } = unique('deleted-early');
      await h.submit(request({ name, target, simulate: 'hang' }));
      const runName = expectedRunName(target);
      // Deleted the moment it appears, before Tekton starts it and possibly before Running is recorded.
      await waitFor('the run to be created', async () => Boolean(await h.pipelineRun(runName)), {
        intervalMs: 20,
      });
      await deleteRun(runName);
      const failed = await h.waitForPhase(name, 'Failed');
      expect(failed.status.failureDetails).toMatchObject({ reason: 'Unknown', message: DELETED });
      expect(failed.status.startTime, 'it had been recorded Running').toBeTruthy();
    });

    it('BR-WE-007: should set PipelineRunRef to nil after detecting external deletion — wfe keeps the reference to the deleted run (WE-5, WE-6)', async () => {
      const { name, target } = unique('deleted-ref');
      const { runName } = await runningHeld(h, name, target);
      await deleteRun(runName);
      const failed = await h.waitForPhase(name, 'Failed');
      // Kubernaut accepted either; wfe (like Kubernaut's code) keeps it, so `wfe get` names the run that went.
      expect(failed.status.pipelineRunRef).toEqual({ name: runName });
      expect(failed.status.failureDetails!.message).toBe(DELETED);
    });
  });

  describe('External Deletion Prevention (Negative Test)', () => {
    it('BR-WE-007: should NOT mark WFE as Failed when PipelineRun completes normally — and the cooldown release is not mistaken for a deletion (WE-6, WE-7)', async () => {
      const { name, target } = unique('not-deleted');
      await h.submit(request({ name, target }));
      const done = await h.waitForPhase(name, 'Completed');
      expect(done.status.failureDetails).toBeUndefined();
      // The run is deleted by the lock release after the cooldown: the execution stays Completed.
      const released = await h.waitForExecution(
        name,
        (we) => Boolean(condition(we, 'LockReleased')),
        'LockReleased',
        {
          timeoutMs: h.cooldownMs + 30_000,
        },
      );
      expect(await h.pipelineRun(done.status.pipelineRunRef!.name)).toBeUndefined();
      expect(released.status.phase).toBe('Completed');
      expect(released.status.failureDetails).toBeUndefined();
      expect((await h.audit({ correlation_id: name, event_type: 'workflow.failed' })).pagination.total).toBe(
        0,
      );
    });
  });
});
