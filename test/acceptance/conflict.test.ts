/**
 * Kubernaut's conflict_test.go ("WorkflowExecution HandleAlreadyExists - Race Conditions"): what
 * happens when the run's deterministic name is already taken — by concurrent attempts, by a run
 * created outside before the request, or by another execution's run.
 */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  acceptanceSystem,
  auditEventsOf,
  condition,
  expectedRunName,
  request,
  unique,
  waitFor,
} from './harness.js';

const h = acceptanceSystem();

/** A PipelineRun as someone else (a second controller, an operator) would create it. */
function foreignRun(target: string, owner: { name: string; namespace: string }, simulate: string) {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      name: expectedRunName(target),
      namespace: h.namespace,
      labels: {
        'kubernaut.ai/workflow-execution': owner.name,
        'kubernaut.ai/source-namespace': owner.namespace,
        'kubernaut.ai/workflow-id': 'test-workflow',
        'kubernaut.ai/target-resource': target.replaceAll('/', '__'),
      },
      annotations: { 'kubernaut.ai/target-resource': target },
    },
    spec: {
      pipelineRef: {
        resolver: 'bundles',
        params: [
          { name: 'bundle', value: 'ghcr.io/kubernaut/workflows/test@sha256:abc123' },
          { name: 'name', value: 'workflow' },
          { name: 'kind', value: 'pipeline' },
        ],
      },
      params: [
        { name: 'WFE_SIMULATE', value: simulate },
        { name: 'WFE_SIMULATE_DURATION', value: '1500ms' },
        { name: 'TARGET_RESOURCE', value: target },
      ],
    },
  };
}

const createRun = (body: object) =>
  h.custom.createNamespacedCustomObject({
    group: 'tekton.dev',
    version: 'v1',
    namespace: h.namespace,
    plural: 'pipelineruns',
    body,
  });

/** The runs of a target, by the target label the execution writes. */
async function runsFor(target: string) {
  const list = (await h.custom.listNamespacedCustomObject({
    group: 'tekton.dev',
    version: 'v1',
    namespace: h.namespace,
    plural: 'pipelineruns',
    labelSelector: `kubernaut.ai/target-resource=${target.replaceAll('/', '__')}`,
  })) as { items: { metadata: { name: string; annotations?: Record<string, string> } }[] };
  return list.items;
}

describe.concurrent('WorkflowExecution HandleAlreadyExists - Race Conditions', () => {
  describe('BR-WE-002: Concurrent PipelineRun Creation', () => {
    it('BR-WE-002: should handle concurrent PipelineRun creation gracefully without duplicates — 5 concurrent deliveries and 5 concurrent creates give one run (WE-1, WE-4, WE-5)', async () => {
      const { name, target } = unique('concurrent');
      const body = JSON.stringify(request({ name, target, simulate: 'hang' }));
      // The same message five times at once: SQS's at-least-once delivery at its worst.
      await Promise.all(Array.from({ length: 5 }, () => h.send(body)));
      const running = await h.waitForPhase(name, 'Running');
      await h.queueDrained();
      const runName = running.status.pipelineRunRef!.name;
      // Kubernaut's own check: five more creates of the same run all get AlreadyExists.
      const creates = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          createRun(foreignRun(target, { name, namespace: 'default' }, 'hang')),
        ),
      );
      for (const result of creates) {
        expect(result.status).toBe('rejected');
        const err = (result as PromiseRejectedResult).reason;
        expect(err).toBeInstanceOf(ApiException);
        expect((err as ApiException<unknown>).code).toBe(409);
      }
      const runs = await runsFor(target);
      expect(runs.map((r) => r.metadata.name)).toEqual([runName]);
      expect(runs[0]!.metadata.annotations?.['kubernaut.ai/target-resource']).toBe(target);
      expect((await h.get(name))!.status).toMatchObject({
        phase: 'Running',
        pipelineRunRef: { name: runName },
      });
      const started = await auditEventsOf(h, name, 'workflow.started');
      expect(started).toHaveLength(1);
    });

    it('BR-WE-002: should handle PipelineRun created externally before reconcile — adopted, one workflow.started (WE-4)', async () => {
      const { name, target } = unique('adopt');
      const created = (await createRun(foreignRun(target, { name, namespace: 'default' }, 'succeed'))) as {
        metadata: { uid: string };
      };
      await h.submit(request({ name, target }));
      const running = await h.waitForExecution(name, (we) => Boolean(we.status.startTime), 'to start');
      expect(running.status.pipelineRunRef?.name).toBe(expectedRunName(target));
      const createdCondition = condition(running, 'TektonPipelineCreated');
      expect(createdCondition).toMatchObject({ status: 'True', reason: 'PipelineCreated' });
      expect(createdCondition!.message).toContain('adopted');
      // The run is the one created outside: adopted, not replaced.
      const run = await h.pipelineRun(expectedRunName(target));
      if (run) expect(run.metadata.uid).toBe(created.metadata.uid);
      const done = await h.waitForPhase(name, 'Completed');
      expect(done.status.pipelineRunRef?.name).toBe(expectedRunName(target));
      await auditEventsOf(h, name, 'workflow.completed');
      expect((await h.audit({ correlation_id: name, event_type: 'workflow.started' })).pagination.total).toBe(
        1,
      );
    });

    it('BR-WE-002: adopting a PipelineRun that has already finished keeps the status times in order — the redelivery after a crash between create and record (WE-4, WE-5)', async () => {
      const { name, target } = unique('adopt-late');
      const runName = expectedRunName(target);
      const body = foreignRun(target, { name, namespace: 'default' }, 'succeed');
      body.spec.params = body.spec.params.map((p) =>
        p.name === 'WFE_SIMULATE_DURATION' ? { ...p, value: '1s' } : p,
      );
      await createRun(body);
      const ended = await waitFor('the run to finish', async () => {
        const run = await h.pipelineRun(runName);
        return run?.status?.completionTime ? run : undefined;
      });
      await h.submit(request({ name, target }));
      const done = await h.waitForPhase(name, 'Completed');
      expect(Date.parse(done.status.completionTime!)).toBe(Date.parse(ended.status!.completionTime!));
      // The run started (and ran for at least its second) before it was adopted: the execution takes
      // the run's start, not the adoption's, so it cannot have started after it completed, and its
      // duration is the run's (Tekton's whole seconds; a loaded machine may stretch the run past 1s).
      expect(Date.parse(done.status.startTime!)).toBe(Date.parse(ended.status!.startTime!));
      const runMs = Date.parse(ended.status!.completionTime!) - Date.parse(ended.status!.startTime!);
      expect(runMs).toBeGreaterThanOrEqual(1000);
      expect(done.status.duration).toBe(`${Math.round(runMs / 1000)}s`);
      const [completed] = await auditEventsOf(h, name, 'workflow.completed');
      expect(Date.parse(String(completed!.event_data.started_at))).toBeLessThanOrEqual(
        Date.parse(String(completed!.event_data.completed_at)),
      );
    });

    it("BR-WE-002: should fail WFE when PipelineRun is owned by another WorkflowExecution — Deduplicated (HEAD) not Unknown/'Race condition' (Dec); the other's run is never deleted (WE-2, WE-4, WE-7)", async () => {
      const { name, target } = unique('foreign');
      const other = { name: `other-${name.slice(-8)}`, namespace: 'kubernaut-system' };
      const created = (await createRun(foreignRun(target, other, 'hang'))) as { metadata: { uid: string } };
      await h.submit(request({ name, target }));
      const failed = await h.waitForPhase(name, 'Failed');
      expect(failed.status.failureDetails).toMatchObject({
        reason: 'Deduplicated',
        wasExecutionFailure: false,
      });
      expect(failed.status.failureDetails!.message).toContain(expectedRunName(target));
      expect(failed.status.deduplicatedBy).toBe(`default/${other.namespace}/${other.name}`);
      expect(condition(failed, 'TektonPipelineCreated')).toMatchObject({ status: 'False' });
      const [event] = await auditEventsOf(h, name, 'workflow.failed');
      expect(event!.event_data).toMatchObject({ failure_reason: 'Deduplicated' });
      // The lock this execution briefly held cools down and goes; the other's run stays (Dec bug #1 deleted it).
      await h.waitForExecution(name, (we) => Boolean(condition(we, 'LockReleased')), 'LockReleased', {
        timeoutMs: h.cooldownMs + 30_000,
      });
      const still = await h.pipelineRun(expectedRunName(target));
      expect(still?.metadata.uid).toBe(created.metadata.uid);
      expect(still?.metadata.labels?.['kubernaut.ai/workflow-execution']).toBe(other.name);
    });
  });

  describe('BR-WE-002: PipelineRun Name Determinism', () => {
    it('BR-WE-002: should generate consistent PipelineRun names for same target resource — two executions in turn use the same name (WE-4)', async () => {
      const first = unique('determinism');
      const second = `determinism-again-${first.name.slice(-8)}`;
      await h.submit(request(first));
      const done = await h.waitForPhase(first.name, 'Completed');
      await h.submit(request({ name: second, target: first.target }));
      const next = await waitFor(
        `${second} to start after the cooldown`,
        async () => {
          const we = await h.get(second);
          return we?.status.pipelineRunRef ? we : undefined;
        },
        { timeoutMs: h.cooldownMs + 30_000 },
      );
      expect(next.status.pipelineRunRef!.name).toBe(done.status.pipelineRunRef!.name);
      expect(next.status.pipelineRunRef!.name).toBe(expectedRunName(first.target));
      expect(next.status.pipelineRunRef!.name.startsWith('wfe-')).toBe(true);
    });
  });
});
