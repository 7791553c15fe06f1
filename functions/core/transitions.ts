/**
 * The status of an execution after each phase change (SPEC WE-5), with its conditions, as pure
 * functions. Every one goes through the transitions table; the store makes each write conditional
 * on the version it was read at, so a change is recorded once.
 */
import { bounded } from './bounded-text.js';
import { formatDuration } from './duration.js';
import {
  type Condition,
  ConditionType,
  canMove,
  type Execution,
  type FailureDetails,
  type FailureReason,
  type Phase,
  type PipelineRunStatusSummary,
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

/**
 * When an execution started: when its run was asked for, or, for a run found already there (adopted
 * after a crash, a redelivery or an expired lease), when that run started if that was earlier. The
 * start is recorded after the fact, possibly after the run has ended; stamping it with the moment
 * of recording would put startTime after completionTime.
 */
export function startTimeOf(askedAt: Date, runStartTime?: string): Date {
  const runStart = runStartTime ? Date.parse(runStartTime) : Number.NaN;
  return Number.isNaN(runStart) || runStart >= askedAt.getTime() ? askedAt : new Date(runStart);
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
  const message = bounded(failure.message);
  const details: FailureDetails = {
    failedTaskIndex: 0,
    failedTaskName: '',
    reason: failure.reason,
    message,
    failedAt: now.toISOString(),
    executionTimeBeforeFailure: '0s',
    naturalLanguageSummary: naturalLanguageSummary({
      workflowId: failure.workflowId,
      target: execution.target,
      reason: failure.reason,
      message,
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
      message: `Failed to create PipelineRun: ${message}`,
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

export function runningRefreshed(
  execution: Execution,
  summary: PipelineRunStatusSummary,
  message: string,
  now: Date,
): Execution {
  const next = { ...execution, status: { ...execution.status, pipelineRunStatus: summary } };
  return withCondition(
    next,
    { type: ConditionType.TektonPipelineRunning, status: 'True', reason: 'PipelineStarted', message },
    now,
  );
}

function ended(execution: Execution, to: 'Completed' | 'Failed', completionTime: Date): Execution {
  const next = move(execution, to);
  const start = next.status.startTime ? Date.parse(next.status.startTime) : completionTime.getTime();
  return {
    ...next,
    status: {
      ...next.status,
      completionTime: completionTime.toISOString(),
      duration: formatDuration(completionTime.getTime() - start),
    },
  };
}

export function toCompleted(
  execution: Execution,
  summary: PipelineRunStatusSummary | undefined,
  completionTime: Date,
  now: Date,
): Execution {
  let next = ended(execution, 'Completed', completionTime);
  if (summary) next = { ...next, status: { ...next.status, pipelineRunStatus: summary } };
  next = withCondition(
    next,
    {
      type: ConditionType.TektonPipelineComplete,
      status: 'True',
      reason: 'PipelineSucceeded',
      message: `All tasks completed successfully in ${next.status.duration}`,
    },
    now,
  );
  return auditRecorded(next, 'workflow.completed', now);
}

/** Kubernaut's TektonPipelineComplete=False reasons and messages for a failed run. */
const COMPLETE_FAILURE: Partial<Record<FailureReason, { reason: string; message?: string }>> = {
  TaskFailed: { reason: 'TaskFailed' },
  DeadlineExceeded: { reason: 'DeadlineExceeded', message: 'Pipeline exceeded timeout deadline' },
  OOMKilled: { reason: 'OOMKilled', message: 'Pipeline task killed due to out of memory' },
};

export function toFailedRun(
  execution: Execution,
  details: FailureDetails,
  summary: PipelineRunStatusSummary | undefined,
  completionTime: Date,
  now: Date,
): Execution {
  let next = ended(execution, 'Failed', completionTime);
  next = {
    ...next,
    status: { ...next.status, failureDetails: details, ...(summary ? { pipelineRunStatus: summary } : {}) },
  };
  const mapped = COMPLETE_FAILURE[details.reason];
  next = withCondition(
    next,
    {
      type: ConditionType.TektonPipelineComplete,
      status: 'False',
      reason: mapped?.reason ?? 'PipelineFailed',
      message: mapped?.message ?? (details.message || 'Pipeline execution failed'),
    },
    now,
  );
  return auditRecorded(next, 'workflow.failed', now);
}
