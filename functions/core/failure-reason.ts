/**
 * Failure classification, exactly as Kubernaut's failure_analysis.go: an ordered table of
 * case-insensitive substring rules over the Tekton reason and message (first hit wins, so the
 * specific rules precede the generic TaskFailed one), whether the workflow really ran, and the
 * natural-language summary.
 */
import { FailureReason } from './execution.js';

interface Rule {
  reason: FailureReason;
  matches(reason: string, message: string): boolean;
}

const has = (text: string, ...needles: string[]) => needles.some((n) => text.includes(n));

const RULES: readonly Rule[] = [
  { reason: FailureReason.OOMKilled, matches: (_r, m) => has(m, 'oomkilled', 'oom') },
  {
    reason: FailureReason.DeadlineExceeded,
    matches: (r, m) => has(r, 'timeout') || has(m, 'timeout', 'deadline'),
  },
  { reason: FailureReason.Forbidden, matches: (_r, m) => has(m, 'forbidden', 'rbac', 'permission denied') },
  { reason: FailureReason.ResourceExhausted, matches: (_r, m) => has(m, 'quota', 'resource exhausted') },
  { reason: FailureReason.ImagePullBackOff, matches: (_r, m) => has(m, 'imagepullbackoff', 'image pull') },
  { reason: FailureReason.ConfigurationError, matches: (_r, m) => has(m, 'invalid', 'configuration') },
  {
    reason: FailureReason.TaskFailed,
    matches: (r, m) => has(r, 'taskfailed') || (m.includes('task') && m.includes('failed')),
  },
];

export function classifyFailure(tektonReason: string, message: string): FailureReason {
  const r = tektonReason.toLowerCase();
  const m = message.toLowerCase();
  return RULES.find((rule) => rule.matches(r, m))?.reason ?? FailureReason.Unknown;
}

const NOT_EXECUTED_WHEN_STARTED: readonly FailureReason[] = [
  FailureReason.ImagePullBackOff,
  FailureReason.ConfigurationError,
  FailureReason.ResourceExhausted,
];
const EXECUTED_WHEN_NOT_STARTED: readonly FailureReason[] = [
  FailureReason.OOMKilled,
  FailureReason.DeadlineExceeded,
  FailureReason.Forbidden,
  FailureReason.TaskFailed,
];

/**
 * True when the workflow ran and may have changed the target (non-idempotent actions may have
 * happened); false when it is safe to retry.
 */
export function wasExecutionFailure(
  run: { started: boolean; childCount: number } | undefined,
  reason: FailureReason,
): boolean {
  if (!run) return false;
  if (run.started) return !NOT_EXECUTED_WHEN_STARTED.includes(reason);
  if (run.childCount > 0) return true;
  return EXECUTED_WHEN_NOT_STARTED.includes(reason);
}

const RECOMMENDATIONS: Partial<Record<FailureReason, string>> = {
  OOMKilled: 'The workflow task ran out of memory. Consider increasing task resource limits.',
  Forbidden:
    'The service account lacks required RBAC permissions. Grant appropriate permissions or use an alternative workflow.',
  DeadlineExceeded:
    'The workflow exceeded its timeout. Consider increasing the timeout or using a faster workflow variant.',
  ImagePullBackOff:
    'Unable to pull the workflow container image. Verify image exists and credentials are configured.',
};

export function naturalLanguageSummary(input: {
  workflowId: string;
  target: string;
  reason: FailureReason;
  message?: string;
  executionTimeBeforeFailure?: string;
}): string {
  let text = `Workflow '${input.workflowId}' failed on target '${input.target}'.\nReason: ${input.reason}\n`;
  if (input.message) text += `Error: ${input.message}\n`;
  if (input.executionTimeBeforeFailure) text += `Failed after: ${input.executionTimeBeforeFailure}\n`;
  const recommendation = RECOMMENDATIONS[input.reason];
  if (recommendation) text += `Recommendation: ${recommendation}\n`;
  return text;
}
