/**
 * Kubernetes Events (Kubernaut's LockReleased, WorkflowCompleted, WorkflowFailed), recorded in the
 * execution namespace about the execution's PipelineRun — an Event must live in its object's
 * namespace, and the WorkflowExecution itself is not a cluster object here. Best effort: an Event
 * that cannot be written is logged, never allowed to fail or repeat the change it describes.
 */
import type { Place } from './clusters.js';
import type { Log } from './ports.js';

export async function recordWorkflowEvent(
  deps: { log: Log },
  place: Place,
  pipelineRunName: string,
  event: { reason: string; message: string; type: 'Normal' | 'Warning' },
): Promise<void> {
  try {
    await place.cluster.recordEvent({
      namespace: place.namespace,
      involvedObject: {
        kind: 'PipelineRun',
        apiVersion: 'tekton.dev/v1',
        name: pipelineRunName,
        namespace: place.namespace,
      },
      ...event,
    });
  } catch (err) {
    deps.log.warn('kubernetes event not recorded', { reason: event.reason, error: (err as Error).message });
  }
}
