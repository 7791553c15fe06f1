/**
 * An execution and its status, shaped like the WorkflowExecution CRD's (SPEC WE-5), and the one
 * table of phase transitions every status change goes through.
 */

import type { ExecutionId } from './execution-id.js';
import type { Manifest } from './manifest.js';

export const Phase = {
  Pending: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  Failed: 'Failed',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export const transitions: Record<Phase, readonly Phase[]> = {
  Pending: [Phase.Running, Phase.Failed],
  Running: [Phase.Completed, Phase.Failed],
  Completed: [],
  Failed: [],
};

export const isTerminal = (phase: Phase): boolean => transitions[phase].length === 0;
export const canMove = (from: Phase, to: Phase): boolean => transitions[from].includes(to);

export const ConditionType = {
  TektonPipelineCreated: 'TektonPipelineCreated',
  TektonPipelineRunning: 'TektonPipelineRunning',
  TektonPipelineComplete: 'TektonPipelineComplete',
  AuditRecorded: 'AuditRecorded',
  CooldownActive: 'CooldownActive',
  LockReleased: 'LockReleased',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** The order conditions are listed in, whatever order they were set in. */
const CONDITION_ORDER: readonly ConditionType[] = Object.values(ConditionType);

export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export const FailureReason = {
  OOMKilled: 'OOMKilled',
  DeadlineExceeded: 'DeadlineExceeded',
  Forbidden: 'Forbidden',
  ResourceExhausted: 'ResourceExhausted',
  ConfigurationError: 'ConfigurationError',
  ImagePullBackOff: 'ImagePullBackOff',
  TaskFailed: 'TaskFailed',
  Deduplicated: 'Deduplicated',
  Unknown: 'Unknown',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

export interface FailureDetails {
  failedTaskIndex: number;
  failedTaskName: string;
  reason: FailureReason;
  message: string;
  exitCode?: number;
  failedAt: string;
  executionTimeBeforeFailure: string;
  naturalLanguageSummary: string;
  wasExecutionFailure: boolean;
}

export interface PipelineRunStatusSummary {
  status: 'Unknown' | 'True' | 'False';
  reason?: string;
  message?: string;
  completedTasks?: number;
  totalTasks?: number;
}

export interface ExecutionStatus {
  phase: Phase;
  startTime?: string;
  completionTime?: string;
  duration?: string;
  pipelineRunRef?: { name: string };
  pipelineRunStatus?: PipelineRunStatusSummary;
  failureDetails?: FailureDetails;
  deduplicatedBy?: string;
  /** Keyed by type, so setting one is a single-field update; listed in CRD order by conditionList(). */
  conditions: Partial<Record<ConditionType, Condition>>;
}

/**
 * One execution as stored. `manifest` is the validated request; a request that failed validation
 * keeps what was sent in `rejectedRequest` instead, so `wfe get` can show it.
 */
export interface Execution {
  id: ExecutionId;
  manifest?: Manifest;
  rejectedRequest?: unknown;
  /** Hash of the spec and labels: a redelivery has the same hash, a conflicting request does not. */
  specHash: string;
  target: string;
  status: ExecutionStatus;
  createdAt: string;
  /** Optimistic-concurrency version; every write is conditional on it. 0 means not stored yet. */
  version: number;
}

/** meta.SetStatusCondition: lastTransitionTime moves only when the status changes. */
export function setCondition(
  status: ExecutionStatus,
  condition: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): ExecutionStatus {
  const previous = status.conditions[condition.type];
  const lastTransitionTime =
    previous && previous.status === condition.status ? previous.lastTransitionTime : now.toISOString();
  return {
    ...status,
    conditions: { ...status.conditions, [condition.type]: { ...condition, lastTransitionTime } },
  };
}

export function removeCondition(status: ExecutionStatus, type: ConditionType): ExecutionStatus {
  const { [type]: _removed, ...rest } = status.conditions;
  return { ...status, conditions: rest };
}

export function conditionList(status: ExecutionStatus): Condition[] {
  return CONDITION_ORDER.flatMap((type) => (status.conditions[type] ? [status.conditions[type]] : []));
}
