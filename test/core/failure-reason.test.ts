import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  naturalLanguageSummary,
  wasExecutionFailure,
} from '../../functions/core/failure-reason.js';

import { CLASSIFICATION_MATRIX } from '../fixtures/classification-matrix.js';

describe('WE-6 failure classification (Kubernaut failure_analysis.go)', () => {
  it.each(CLASSIFICATION_MATRIX)(
    '%s "%s" (started=%s) → %s, wasExecutionFailure=%s',
    (reason, message, started, expected, executed) => {
      const classified = classifyFailure(reason, message);
      expect(classified).toBe(expected);
      expect(wasExecutionFailure({ started, childCount: 0 }, classified)).toBe(executed);
    },
  );

  it('classifies a real Tekton task failure message as TaskFailed', () => {
    expect(classifyFailure('Failed', 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0')).toBe(
      'TaskFailed',
    );
  });

  it.each([
    ['ImagePullBackOff', false],
    ['ConfigurationError', false],
    ['ResourceExhausted', false],
    ['OOMKilled', true],
    ['TaskFailed', true],
    ['Unknown', true],
  ] as const)('a run that started and failed with %s → wasExecutionFailure=%s', (reason, executed) => {
    expect(wasExecutionFailure({ started: true, childCount: 1 }, reason)).toBe(executed);
  });

  it.each([
    ['OOMKilled', true],
    ['DeadlineExceeded', true],
    ['Forbidden', true],
    ['TaskFailed', true],
    ['ImagePullBackOff', false],
    ['Unknown', false],
  ] as const)(
    'a run that never started and has no TaskRuns, failed with %s → wasExecutionFailure=%s',
    (reason, executed) => {
      expect(wasExecutionFailure({ started: false, childCount: 0 }, reason)).toBe(executed);
    },
  );

  it('counts a run with child TaskRuns as executed even without a start time', () => {
    expect(wasExecutionFailure({ started: false, childCount: 1 }, 'Unknown')).toBe(true);
    expect(wasExecutionFailure(undefined, 'TaskFailed')).toBe(false);
  });

  it('writes the natural-language summary with its recommendation', () => {
    expect(
      naturalLanguageSummary({
        workflowId: 'restart',
        target: 'a/b/c',
        reason: 'OOMKilled',
        message: 'oom',
        executionTimeBeforeFailure: '5s',
      }),
    ).toBe(
      "Workflow 'restart' failed on target 'a/b/c'.\nReason: OOMKilled\nError: oom\nFailed after: 5s\nRecommendation: The workflow task ran out of memory. Consider increasing task resource limits.\n",
    );
  });
});
