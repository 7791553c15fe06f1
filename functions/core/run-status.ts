/**
 * What a PipelineRun's status means for its execution (SPEC WE-6): still running, succeeded,
 * or failed with Kubernaut's failure details (failed TaskRun, index, exit code, summary).
 */
import { bounded } from './bounded-text.js';
import { formatDuration } from './duration.js';
import type { FailureDetails, PipelineRunStatusSummary } from './execution.js';
import { classifyFailure, naturalLanguageSummary, wasExecutionFailure } from './failure-reason.js';
import type { Cluster, RunState } from './ports.js';

export type RunOutcome =
  | { kind: 'running'; summary: PipelineRunStatusSummary; message: string }
  | { kind: 'succeeded'; summary: PipelineRunStatusSummary; completionTime?: string }
  | { kind: 'failed'; summary: PipelineRunStatusSummary; completionTime?: string };

export function runOutcome(run: RunState, completedTasks?: number): RunOutcome {
  const c = run.succeeded;
  const summary: PipelineRunStatusSummary = {
    status: c?.status ?? 'Unknown',
    ...(c?.reason ? { reason: bounded(c.reason) } : {}),
    ...(c?.message ? { message: bounded(c.message) } : {}),
    ...(completedTasks !== undefined ? { completedTasks } : {}),
    totalTasks: run.childReferences.length,
  };
  if (c?.status === 'True') return { kind: 'succeeded', summary, completionTime: run.completionTime };
  if (c?.status === 'False') return { kind: 'failed', summary, completionTime: run.completionTime };
  return {
    kind: 'running',
    summary,
    message: c
      ? `Pipeline executing (${bounded(c.reason)})`
      : 'Pipeline created, waiting for Tekton to start execution',
  };
}

/** TaskRuns that have succeeded, read one by one (Kubernaut's completedTasks, which it never set). */
export async function countCompletedTasks(cluster: Cluster, run: RunState): Promise<number> {
  let done = 0;
  for (const child of run.childReferences) {
    if (child.kind !== 'TaskRun') continue;
    const task = await cluster.getTaskRun(run.namespace, child.name);
    if (task?.succeeded?.status === 'True') done++;
  }
  return done;
}

/** failure_analysis.go's ExtractFailureDetails: the first failed TaskRun gives the name, index and exit code. */
export async function failureDetails(
  cluster: Cluster,
  run: RunState,
  input: { workflowId: string; target: string; startTime?: string; now: Date },
): Promise<FailureDetails> {
  const condition = run.succeeded ?? { status: 'False' as const, reason: '', message: '' };
  const reason = classifyFailure(condition.reason, condition.message);
  const message = bounded(condition.message);
  let failedTaskName = '';
  let failedTaskIndex = 0;
  let exitCode: number | undefined;
  for (const [index, child] of run.childReferences.entries()) {
    if (child.kind !== 'TaskRun') continue;
    const task = await cluster.getTaskRun(run.namespace, child.name);
    if (task?.succeeded?.status === 'False') {
      failedTaskName = bounded(task.name);
      failedTaskIndex = index;
      exitCode = task.exitCode;
      break;
    }
  }
  const executionTimeBeforeFailure = formatDuration(
    input.startTime ? input.now.getTime() - Date.parse(input.startTime) : 0,
  );
  return {
    failedTaskIndex,
    failedTaskName,
    reason,
    message,
    ...(exitCode !== undefined ? { exitCode } : {}),
    failedAt: input.now.toISOString(),
    executionTimeBeforeFailure,
    naturalLanguageSummary: naturalLanguageSummary({
      workflowId: input.workflowId,
      target: input.target,
      reason,
      message,
      executionTimeBeforeFailure,
    }),
    wasExecutionFailure: wasExecutionFailure(
      { started: Boolean(run.startTime), childCount: run.childReferences.length },
      reason,
    ),
  };
}

/** The failure of a run that disappeared while its execution was Running (BR-WE-007). */
export function deletedExternally(input: {
  workflowId: string;
  target: string;
  startTime?: string;
  now: Date;
}): FailureDetails {
  const message = 'PipelineRun was deleted externally';
  const executionTimeBeforeFailure = formatDuration(
    input.startTime ? input.now.getTime() - Date.parse(input.startTime) : 0,
  );
  return {
    failedTaskIndex: 0,
    failedTaskName: '',
    reason: 'Unknown',
    message,
    failedAt: input.now.toISOString(),
    executionTimeBeforeFailure,
    naturalLanguageSummary: naturalLanguageSummary({
      workflowId: input.workflowId,
      target: input.target,
      reason: 'Unknown',
      message,
      executionTimeBeforeFailure,
    }),
    wasExecutionFailure: false,
  };
}
