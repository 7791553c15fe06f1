/**
 * Kubernetes Events about an execution (Kubernaut's LockReleased, WorkflowCompleted, WorkflowFailed),
 * recorded in the execution namespace. Best effort: an Event that cannot be written is logged, never
 * allowed to fail or repeat the state change it describes.
 */
import type { ExecutionId } from './manifest.js';
import type { Cluster, Log } from './ports.js';

export async function recordWorkflowEvent(
  deps: { cluster: Cluster; log: Log; settings: { namespace: string } },
  about: ExecutionId,
  event: { reason: string; message: string; type: 'Normal' | 'Warning' },
): Promise<void> {
  try {
    await deps.cluster.recordEvent({
      namespace: deps.settings.namespace,
      involvedObject: {
        kind: 'WorkflowExecution',
        name: about.name,
        namespace: about.namespace,
        apiVersion: 'kubernaut.ai/v1alpha1',
      },
      ...event,
    });
  } catch (err) {
    deps.log.warn('kubernetes event not recorded', { reason: event.reason, error: (err as Error).message });
  }
}
