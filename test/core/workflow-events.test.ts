import { describe, expect, it } from 'vitest';
import { recordWorkflowEvent } from '../../functions/core/workflow-events.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { RecordingLog } from '../fakes/recorders.js';

const NS = 'kubernaut-workflows';

function deps() {
  const cluster = new MemoryCluster();
  return { cluster, log: new RecordingLog(), place: { name: 'default', namespace: NS, cluster } };
}

describe('Kubernetes Events for an execution (WE-6, WE-7)', () => {
  it('records the event in the execution namespace about the execution’s PipelineRun', async () => {
    const d = deps();
    await recordWorkflowEvent(d, d.place, 'wfe-0123456789abcdef', {
      reason: 'WorkflowCompleted',
      message: 'Workflow restart-pod completed successfully in 2m30s',
      type: 'Normal',
    });
    expect(d.cluster.events).toEqual([
      {
        namespace: NS,
        involvedObject: {
          kind: 'PipelineRun',
          apiVersion: 'tekton.dev/v1',
          name: 'wfe-0123456789abcdef',
          namespace: NS,
        },
        reason: 'WorkflowCompleted',
        message: 'Workflow restart-pod completed successfully in 2m30s',
        type: 'Normal',
      },
    ]);
  });

  it('is best effort: an event the cluster refuses is logged, never thrown', async () => {
    const d = deps();
    d.cluster.fault = (op) => {
      if (op === 'event') throw new Error('events is forbidden');
    };
    await expect(
      recordWorkflowEvent(d, d.place, 'wfe-0123456789abcdef', {
        reason: 'LockReleased',
        message: 'm',
        type: 'Normal',
      }),
    ).resolves.toBeUndefined();
    expect(d.log.lines).toEqual([
      {
        level: 'warn',
        message: 'kubernetes event not recorded',
        fields: { reason: 'LockReleased', error: 'events is forbidden' },
      },
    ]);
  });
});
