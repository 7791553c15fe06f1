/**
 * Audit events, mapped exactly to DataStorage's AuditEventRequest (reference §6, SPEC WE-9).
 * An event is built when its phase change is decided and stored in the same transaction
 * (the outbox); the forwarder sends it as stored.
 */
import { bounded } from './bounded-text.js';
import { correlationId } from './correlation.js';
import type { Execution } from './execution.js';

export const AuditEventType = {
  Started: 'workflow.started',
  Completed: 'workflow.completed',
  Failed: 'workflow.failed',
  LockForceReleased: 'workflow.lock_force_released',
} as const;
export type AuditEventType = (typeof AuditEventType)[keyof typeof AuditEventType];

export const AUDIT_ACTOR_ID = 'workflowexecution-controller';

export interface WorkflowAuditPayload {
  workflow_id: string;
  workflow_version: string;
  target_resource: string;
  phase: string;
  container_image: string;
  execution_name: string;
  started_at?: string;
  completed_at?: string;
  duration?: string;
  failure_reason?: string;
  failure_message?: string;
  failed_task_name?: string;
  pipelinerun_name?: string;
  [extra: string]: unknown;
}

export interface AuditEventRequest {
  version: '1.0';
  event_type: string;
  event_timestamp: string;
  event_category: 'workflow';
  event_action: string;
  event_outcome: 'success' | 'failure' | 'pending';
  actor_type: string;
  actor_id: string;
  resource_type: 'WorkflowExecution';
  resource_id: string;
  correlation_id: string;
  namespace: string;
  /** The execution's cluster (WE-16). */
  cluster_name: string;
  event_data: WorkflowAuditPayload;
}

const OUTCOME: Record<AuditEventType, AuditEventRequest['event_outcome']> = {
  'workflow.started': 'success',
  'workflow.completed': 'success',
  'workflow.failed': 'failure',
  'workflow.lock_force_released': 'success',
};

/** Builds the event for an execution as it is after the change (its status already moved). */
export function auditEvent(
  type: AuditEventType,
  execution: Execution,
  at: Date,
  actor: { type: string; id: string } = { type: 'service', id: AUDIT_ACTOR_ID },
  extra: Record<string, unknown> = {},
): AuditEventRequest {
  const { manifest, status, id } = execution;
  const raw = (execution.rejectedRequest ?? {}) as { spec?: { workflowRef?: Record<string, unknown> } };
  const workflowRef = manifest?.spec.workflowRef ?? raw.spec?.workflowRef ?? {};
  // A rejected request's fields are whatever was sent.
  const asText = (v: unknown) => (typeof v === 'string' ? bounded(v) : '');
  const payload: WorkflowAuditPayload = {
    workflow_id: asText(workflowRef.workflowId),
    workflow_version: asText(workflowRef.version),
    target_resource: execution.target,
    phase: status.phase,
    container_image: asText(workflowRef.containerImage),
    execution_name: id.name,
    started_at: status.startTime,
    completed_at: status.completionTime,
    duration: status.duration,
    failure_reason: status.failureDetails?.reason,
    failure_message: status.failureDetails?.message,
    failed_task_name: status.failureDetails?.failedTaskName || undefined,
    pipelinerun_name: status.pipelineRunRef?.name,
    ...extra,
  };
  const eventData = Object.fromEntries(
    Object.entries(payload).filter(([, v]) => v !== undefined && v !== ''),
  ) as WorkflowAuditPayload;
  // Kubernaut always sends these six, even when empty.
  for (const key of [
    'workflow_id',
    'workflow_version',
    'target_resource',
    'phase',
    'container_image',
    'execution_name',
  ] as const) {
    eventData[key] = payload[key];
  }
  return {
    version: '1.0',
    event_type: type,
    event_timestamp: at.toISOString(),
    event_category: 'workflow',
    event_action: type.slice(type.lastIndexOf('.') + 1),
    event_outcome: OUTCOME[type],
    actor_type: actor.type,
    actor_id: actor.id,
    resource_type: 'WorkflowExecution',
    resource_id: id.name,
    correlation_id: correlationId({
      metadata: { name: id.name, labels: manifest?.metadata.labels },
      spec: manifest?.spec,
    }),
    namespace: id.namespace,
    cluster_name: id.cluster,
    event_data: eventData,
  };
}
