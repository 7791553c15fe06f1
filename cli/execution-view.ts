/**
 * An execution as the user sees it: the WorkflowExecution object (`-o json|yaml`, with the status
 * shaped like the CRD's, conditions as a list in CRD order) and its row in a table.
 */
import { conditionList, type Execution } from '../functions/core/execution.js';
import { executionKey } from '../functions/core/execution-id.js';
import { age } from './print.js';

interface RejectedRequest {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
}

export function executionResource(execution: Execution) {
  const { manifest, id, status } = execution;
  const rejected = (execution.rejectedRequest ?? {}) as RejectedRequest;
  const metadata = manifest?.metadata ?? rejected.metadata ?? {};
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: {
      name: id.name,
      namespace: id.namespace,
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      creationTimestamp: execution.createdAt,
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    },
    spec: manifest?.spec ?? rejected.spec ?? {},
    status: { ...status, conditions: conditionList(status) },
  };
}

export const EXECUTION_HEADERS = [
  'CLUSTER',
  'NAMESPACE',
  'NAME',
  'PHASE',
  'TARGET',
  'WORKFLOW',
  'DURATION',
  'AGE',
];
export const EXECUTION_WIDE_HEADERS = [...EXECUTION_HEADERS, 'REASON', 'PIPELINERUN', 'DEDUPLICATED-BY'];

const workflowOf = (e: Execution) => {
  const spec = executionResource(e).spec as { workflowRef?: { workflowId?: unknown } };
  return typeof spec.workflowRef?.workflowId === 'string' ? spec.workflowRef.workflowId : '';
};

export function executionRow(execution: Execution, now: Date, wide = false): string[] {
  const { status } = execution;
  const row = [
    execution.id.cluster,
    execution.id.namespace,
    execution.id.name,
    status.phase,
    execution.target || '<none>',
    workflowOf(execution) || '<none>',
    status.duration ?? '',
    age(execution.createdAt, now),
  ];
  if (!wide) return row;
  return [
    ...row,
    status.failureDetails?.reason ?? '',
    status.pipelineRunRef?.name ?? '',
    status.deduplicatedBy ?? '',
  ];
}

/** "cluster/namespace/name": how an execution is named on the command line and in messages. */
export const executionName = (execution: Execution) => executionKey(execution.id);
