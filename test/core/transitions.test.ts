import { describe, expect, it } from 'vitest';
import type { Execution, FailureDetails, Phase } from '../../functions/core/execution.js';
import {
  deferred,
  IllegalTransitionError,
  startTimeOf,
  toCompleted,
  toFailedBeforeExecution,
  toFailedRun,
  toRunning,
} from '../../functions/core/transitions.js';
import { executionOf } from '../fixtures/audit-events.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const TARGET = 'default/deployment/test-app';

function inPhase(phase: Phase): Execution {
  return executionOf(
    { name: 'we-1', target: TARGET },
    { phase, conditions: {}, ...(phase === 'Running' ? { startTime: '2026-03-01T09:58:00.000Z' } : {}) },
  );
}

const details: FailureDetails = {
  failedTaskIndex: 1,
  failedTaskName: 'restart',
  reason: 'TaskFailed',
  message: 'step exited 1',
  failedAt: NOW.toISOString(),
  executionTimeBeforeFailure: '2m0s',
  naturalLanguageSummary: 'failed',
  wasExecutionFailure: true,
};

const CHANGES: [string, Phase, (e: Execution) => Execution][] = [
  ['toRunning', 'Running', (e) => toRunning(e, { name: 'wfe-1', namespace: 'ns', adopted: false }, NOW)],
  ['deferred', 'Pending', (e) => deferred(e, TARGET, new Date(NOW.getTime() + 5_000), NOW)],
  [
    'toFailedBeforeExecution',
    'Failed',
    (e) => toFailedBeforeExecution(e, { reason: 'Deduplicated', message: 'busy', workflowId: 'w' }, NOW),
  ],
  ['toCompleted', 'Completed', (e) => toCompleted(e, undefined, NOW, NOW)],
  ['toFailedRun', 'Failed', (e) => toFailedRun(e, details, undefined, NOW, NOW)],
];

/** Which phases each change may start from: a phase the table moves to its target, or the target itself. */
const FROM: Record<string, Phase[]> = {
  toRunning: ['Pending', 'Running'],
  deferred: ['Pending'],
  toFailedBeforeExecution: ['Pending', 'Running', 'Failed'],
  toCompleted: ['Running', 'Completed'],
  toFailedRun: ['Pending', 'Running', 'Failed'],
};

describe('every status change goes through the phase table (WE-5)', () => {
  const rows = CHANGES.flatMap(([name, to, change]) =>
    (['Pending', 'Running', 'Completed', 'Failed'] as const).map((from) => [name, from, to, change] as const),
  );
  it.each(rows)('%s from %s', (name, from, to, change) => {
    if (FROM[name]!.includes(from)) {
      expect(change(inPhase(from)).status.phase).toBe(to);
    } else {
      expect(() => change(inPhase(from))).toThrow(IllegalTransitionError);
    }
  });
});

describe('what each change records', () => {
  it('Running names the run, ends a cooldown and records AuditRecorded for workflow.started', () => {
    const cooling = deferred(inPhase('Pending'), TARGET, new Date(NOW.getTime() + 5_000), NOW);
    const running = toRunning(cooling, { name: 'wfe-1', namespace: 'ns', adopted: true }, NOW);
    expect(running.status).toMatchObject({ startTime: NOW.toISOString(), pipelineRunRef: { name: 'wfe-1' } });
    expect(running.status.conditions.CooldownActive).toMatchObject({
      status: 'False',
      reason: 'CooldownElapsed',
    });
    expect(running.status.conditions.TektonPipelineCreated?.message).toContain('(adopted)');
    expect(running.status.conditions.AuditRecorded?.message).toBe(
      'Audit event workflow.started recorded to DataStorage',
    );
  });

  it('a deferral says until when and how long is left (WE-3)', () => {
    const e = deferred(inPhase('Pending'), TARGET, new Date(NOW.getTime() + 90_000), NOW);
    expect(e.status.conditions.CooldownActive?.message).toBe(
      `Execution deferred: cooldown active for ${TARGET} until 2026-03-01T10:01:30.000Z (remaining: 1m30s)`,
    );
  });

  it.each([
    ['ResourceExhausted', 'QuotaExceeded'],
    ['Forbidden', 'RBACDenied'],
    ['ImagePullBackOff', 'ImagePullFailed'],
    ['Deduplicated', 'PipelineCreationFailed'],
  ] as const)(
    'a failure before execution with %s sets TektonPipelineCreated=False/%s',
    (reason, condition) => {
      const e = toFailedBeforeExecution(inPhase('Pending'), { reason, message: 'm', workflowId: 'w' }, NOW);
      expect(e.status.conditions.TektonPipelineCreated).toMatchObject({ status: 'False', reason: condition });
      expect(e.status.failureDetails).toMatchObject({ reason, wasExecutionFailure: false });
    },
  );

  it('an end records completionTime and the duration from the start', () => {
    const e = toCompleted(inPhase('Running'), undefined, NOW, NOW);
    expect(e.status).toMatchObject({ completionTime: NOW.toISOString(), duration: '2m0s' });
    expect(e.status.conditions.TektonPipelineComplete?.message).toBe(
      'All tasks completed successfully in 2m0s',
    );
  });
});

describe('startTimeOf', () => {
  it.each([
    [undefined, NOW],
    ['2026-03-01T09:59:00Z', new Date('2026-03-01T09:59:00Z')],
    ['2026-03-01T10:01:00Z', NOW],
    ['not a time', NOW],
  ] as const)('run started %s → %s', (runStart, expected) => {
    expect(startTimeOf(NOW, runStart)).toEqual(expected);
  });
});
