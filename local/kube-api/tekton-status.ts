/**
 * The status shapes the Tekton controller writes (pipelinerun_types.go, taskrun_types.go,
 * pipelinerunstate.go): the Succeeded condition, the task-count messages, child references and
 * TaskRun step states.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from './patch.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** knative apis.Condition, in its JSON field order; an empty message is omitted. */
export function succeededCondition(
  status: ConditionStatus,
  reason: string,
  message: string,
  at: string,
): JsonObject {
  return { type: 'Succeeded', status, lastTransitionTime: at, reason, ...(message ? { message } : {}) };
}

export interface TaskCounts {
  succeeded: number;
  failed: number;
  cancelled: number;
  skipped: number;
  incomplete: number;
}

/** "Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: 1, Skipped: 0" while running; without Incomplete once done. */
export function tasksMessage(c: TaskCounts, done: boolean): string {
  const completed = c.succeeded + c.failed + c.cancelled;
  const head = `Tasks Completed: ${completed} (Failed: ${c.failed}, Cancelled ${c.cancelled})`;
  return done
    ? `${head}, Skipped: ${c.skipped}`
    : `${head}, Incomplete: ${c.incomplete}, Skipped: ${c.skipped}`;
}

const MAX_NAME = 63;
const HASH_LENGTH = 32;

/** kmeta.ChildName: parent + suffix, with the parent hashed when the whole would pass 63 characters. */
export function childName(parent: string, suffix: string): string {
  if (parent.length + suffix.length <= MAX_NAME) return parent + suffix;
  const hash = createHash('md5').update(parent).digest('hex');
  const keep = Math.max(0, MAX_NAME - suffix.length - HASH_LENGTH);
  return (parent.slice(0, keep) + hash).slice(0, MAX_NAME - suffix.length) + suffix;
}

export const taskRunName = (pipelineRun: string, task: string) => childName(pipelineRun, `-${task}`);

export function childReference(pipelineRun: string, task: string): JsonObject {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'TaskRun',
    name: taskRunName(pipelineRun, task),
    pipelineTaskName: task,
  };
}

export type StepOutcome = { exitCode: number; reason?: string };

/** A TaskRun's status: running (no outcome yet) or finished with its step's exit code. */
export function taskRunStatus(input: {
  name: string;
  task: string;
  startTime: string;
  now: string;
  outcome?: StepOutcome | 'cancelled';
  cancelMessage?: string;
}): JsonObject {
  const { name, task, startTime, now, outcome } = input;
  const step = { name: task, container: `step-${task}` };
  const base = { podName: `${name}-pod`, startTime };
  if (outcome === undefined)
    return {
      conditions: [
        succeededCondition('Unknown', 'Running', 'Not all Steps in the Task have finished executing', now),
      ],
      ...base,
      steps: [{ ...step, running: { startedAt: startTime } }],
    };
  if (outcome === 'cancelled')
    return {
      conditions: [
        succeededCondition(
          'False',
          'TaskRunCancelled',
          input.cancelMessage ?? `TaskRun "${name}" was cancelled`,
          now,
        ),
      ],
      ...base,
      completionTime: now,
      steps: [
        {
          ...step,
          terminated: { exitCode: 1, reason: 'TaskRunCancelled', startedAt: startTime, finishedAt: now },
        },
      ],
    };
  const failed = outcome.exitCode !== 0;
  return {
    conditions: [
      failed
        ? succeededCondition('False', 'Failed', `"step-${task}" exited with code ${outcome.exitCode}`, now)
        : succeededCondition('True', 'Succeeded', 'All Steps have completed executing', now),
    ],
    ...base,
    completionTime: now,
    steps: [
      {
        ...step,
        terminated: {
          exitCode: outcome.exitCode,
          reason: outcome.reason ?? (failed ? 'Error' : 'Completed'),
          startedAt: startTime,
          finishedAt: now,
        },
      },
    ],
  };
}
