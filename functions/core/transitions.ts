/**
 * The status of an execution after each phase change (SPEC WE-5), with its conditions, as pure
 * functions. Every one goes through the transitions table; the store makes each write conditional
 * on the version it was read at, so a change is recorded once.
 */
import { formatDuration } from './duration.js';
import {
  type Condition,
  ConditionType,
  canMove,
  type Execution,
  type FailureDetails,
  type FailureReason,
  type Phase,
  setCondition,
} from './execution.js';
import { naturalLanguageSummary } from './failure-reason.js';

export class IllegalTransitionError extends Error {
  constructor(from: Phase, to: Phase) {
    super(`phase cannot move from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

function move(execution: Execution, to: Phase): Execution {
  if (execution.status.phase !== to && !canMove(execution.status.phase, to)) {
    throw new IllegalTransitionError(execution.status.phase, to);
  }
  return { ...execution, status: { ...execution.status, phase: to } };
}

function withCondition(
  execution: Execution,
  condition: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Execution {
  return { ...execution, status: setCondition(execution.status, condition, now) };
}

export function auditRecorded(execution: Execution, eventType: string, now: Date): Execution {
  return withCondition(
    execution,
    {
      type: ConditionType.AuditRecorded,
      status: 'True',
      reason: 'AuditSucceeded',
      message: `Audit event ${eventType} recorded to DataStorage`,
    },
    now,
  );
}

export function toRunning(
  execution: Execution,
  run: { name: string; namespace: string; adopted: boolean },
  now: Date,
): Execution {
  let next = move(execution, 'Running');
  next = {
    ...next,
    status: { ...next.status, startTime: now.toISOString(), pipelineRunRef: { name: run.name } },
  };
  if (next.status.conditions.CooldownActive?.status === 'True') {
    next = withCondition(
      next,
      {
        type: ConditionType.CooldownActive,
        status: 'False',
        reason: 'CooldownElapsed',
        message: 'Cooldown ended',
      },
      now,
    );
  }
  next = withCondition(
    next,
    {
      type: ConditionType.TektonPipelineCreated,
      status: 'True',
      reason: 'PipelineCreated',
      message: run.adopted
        ? `PipelineRun ${run.name} already exists in ${run.namespace} namespace and belongs to this execution (adopted)`
        : `PipelineRun ${run.name} created in ${run.namespace} namespace`,
    },
    now,
  );
  next = withCondition(
    next,
    {
      type: ConditionType.TektonPipelineRunning,
      status: 'True',
      reason: 'PipelineStarted',
      message: 'Pipeline created, waiting for Tekton to start execution',
    },
    now,
  );
  return auditRecorded(next, 'workflow.started', now);
}

export function deferred(execution: Execution, target: string, until: Date, now: Date): Execution {
  const remaining = formatDuration(until.getTime() - now.getTime());
  return withCondition(
    move(execution, 'Pending'),
    {
      type: ConditionType.CooldownActive,
      status: 'True',
      reason: 'CooldownActive',
      message: `Execution deferred: cooldown active for ${target} until ${until.toISOString()} (remaining: ${remaining})`,
    },
    now,
  );
}

/** Condition reasons Kubernaut uses on TektonPipelineCreated for a failure before the run exists. */
const CREATION_FAILURE_REASON: Partial<Record<FailureReason, string>> = {
  ResourceExhausted: 'QuotaExceeded',
  Forbidden: 'RBACDenied',
  ImagePullBackOff: 'ImagePullFailed',
};

/** Failed before any run existed (validation, busy target, creation refused): nothing executed. */
export function toFailedBeforeExecution(
  execution: Execution,
  failure: { reason: FailureReason; message: string; workflowId: string; deduplicatedBy?: string },
  now: Date,
): Execution {
  const details: FailureDetails = {
    failedTaskIndex: 0,
    failedTaskName: '',
    reason: failure.reason,
    message: failure.message,
    failedAt: now.toISOString(),
    executionTimeBeforeFailure: '0s',
    naturalLanguageSummary: naturalLanguageSummary({
      workflowId: failure.workflowId,
      target: execution.target,
      reason: failure.reason,
      message: failure.message,
    }),
    wasExecutionFailure: false,
  };
  let next = move(execution, 'Failed');
  next = {
    ...next,
    status: {
      ...next.status,
      completionTime: now.toISOString(),
      failureDetails: details,
      ...(failure.deduplicatedBy ? { deduplicatedBy: failure.deduplicatedBy } : {}),
    },
  };
  next = withCondition(
    next,
    {
      type: ConditionType.TektonPipelineCreated,
      status: 'False',
      reason: CREATION_FAILURE_REASON[failure.reason] ?? 'PipelineCreationFailed',
      message: `Failed to create PipelineRun: ${failure.message}`,
    },
    now,
  );
  return auditRecorded(next, 'workflow.failed', now);
}

export function withLockReleased(execution: Execution, message: string, now: Date): Execution {
  return withCondition(
    execution,
    { type: ConditionType.LockReleased, status: 'True', reason: 'LockReleased', message },
    now,
  );
}
