/**
 * Kubernaut's custom_namespace_test.go ("Custom Execution Namespace"): PipelineRuns go to the
 * configured execution namespace (DD-WE-002), never to the namespace of the WorkflowExecution.
 * This system runs with EXECUTION_NAMESPACE set to a namespace of its own, so the default
 * (kubernaut-workflows) cannot pass by accident.
 */
import { describe, expect, it } from 'vitest';
import { acceptanceSystem, type KubeObject, request, unique } from './harness.js';

const EXECUTION_NAMESPACE = 'acc-custom-workflows';

const h = acceptanceSystem({ env: { EXECUTION_NAMESPACE } });

/** The runs in a namespace that belong to an execution (by the owner label). */
async function runsOf(namespace: string, execution: string): Promise<KubeObject[]> {
  const list = (await h.custom.listNamespacedCustomObject({
    group: 'tekton.dev',
    version: 'v1',
    namespace,
    plural: 'pipelineruns',
    labelSelector: `kubernaut.ai/workflow-execution=${execution}`,
  })) as { items: KubeObject[] };
  return list.items;
}

describe.concurrent('Custom Execution Namespace', () => {
  describe('BR-WE-009: PipelineRuns Created in Configured Namespace', () => {
    it('BR-WE-009: should create PipelineRuns in ExecutionNamespace, not WFE namespace (WE-4)', async () => {
      const { name, target } = unique('exec-ns');
      await h.submit(request({ name, target }));
      const we = await h.waitForExecution(name, (w) => Boolean(w.status.pipelineRunRef), 'to have a run');
      expect(h.namespace).toBe(EXECUTION_NAMESPACE);
      const [run] = await runsOf(EXECUTION_NAMESPACE, name);
      expect(run?.metadata.name).toBe(we.status.pipelineRunRef!.name);
      expect(run?.metadata.namespace).toBe(EXECUTION_NAMESPACE);
      expect(run?.spec?.taskRunTemplate?.serviceAccountName).toBe('kubernaut-workflow-runner');
      expect(await runsOf('default', name)).toEqual([]);
      expect(await runsOf('kubernaut-workflows', name)).toEqual([]);
      // Followed to its end in that namespace too.
      await h.waitForPhase(name, 'Completed');
    });

    it('BR-WE-009: should respect ExecutionNamespace for multiple WFEs (WE-4)', async () => {
      const a = unique('multi-a');
      const b = unique('multi-b');
      await Promise.all([h.submit(request(a)), h.submit(request({ ...b, namespace: 'payment' }))]);
      const [wa, wb] = await Promise.all([
        h.waitForExecution(a.name, (w) => Boolean(w.status.pipelineRunRef), 'to have a run'),
        h.waitForExecution(b.name, (w) => Boolean(w.status.pipelineRunRef), 'to have a run', {
          namespace: 'payment',
        }),
      ]);
      const [ra] = await runsOf(EXECUTION_NAMESPACE, a.name);
      const [rb] = await runsOf(EXECUTION_NAMESPACE, b.name);
      expect(ra?.metadata.name).toBe(wa.status.pipelineRunRef!.name);
      expect(rb?.metadata.name).toBe(wb.status.pipelineRunRef!.name);
      expect(rb?.metadata.labels?.['kubernaut.ai/source-namespace']).toBe('payment');
    });
  });

  describe('DD-WE-002: Dedicated Execution Namespace Benefits', () => {
    it('DD-WE-002: should isolate PipelineRuns from WFE CRDs for better organization — runs, their Events, nothing in the WFE namespace (WE-4, WE-7)', async () => {
      const { name, target } = unique('isolate');
      await h.submit(request({ name, target, namespace: 'payment' }));
      const done = await h.waitForPhase(name, 'Completed', { namespace: 'payment' });
      expect(done.metadata.namespace).toBe('payment');
      const runName = done.status.pipelineRunRef!.name;
      expect(await runsOf('payment', name)).toEqual([]);
      // The Events about the run are where the run is (an Event must share its object's namespace).
      const events = await h.events(runName);
      expect(events.map((e) => e.reason)).toContain('WorkflowCompleted');
      for (const event of events) expect(event.metadata.namespace).toBe(EXECUTION_NAMESPACE);
      const inPayment = await h.core.listNamespacedEvent({ namespace: 'payment' });
      expect(inPayment.items.filter((e) => e.involvedObject.name === runName)).toEqual([]);
    });
  });
});
