import { describe, expect, it } from 'vitest';
import type {
  Execution,
  FailureDetails,
  Phase,
  PipelineRunStatusSummary,
} from '../../functions/core/execution.js';
import {
  deferred,
  IllegalTransitionError,
  runningRefreshed,
  startTimeOf,
  toCompleted,
  toFailedBeforeExecution,
  toFailedRun,
  toRunning,
  withLockReleased,
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
      message: 'Cooldown ended',
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

describe("the conditions Kubernaut's users read (reference: kubernaut-we.md, conditions)", () => {
  const LATER = new Date(NOW.getTime() + 60_000);
  const SUMMARY: PipelineRunStatusSummary = {
    status: 'False',
    reason: 'Failed',
    totalTasks: 3,
    completedTasks: 1,
  };

  it('a run created (not adopted) says where, and Tekton has yet to start it', () => {
    const e = toRunning(inPhase('Pending'), { name: 'wfe-1', namespace: 'ns', adopted: false }, NOW);
    expect(e.status.conditions.TektonPipelineCreated).toEqual({
      type: 'TektonPipelineCreated',
      status: 'True',
      reason: 'PipelineCreated',
      message: 'PipelineRun wfe-1 created in ns namespace',
      lastTransitionTime: NOW.toISOString(),
    });
    expect(e.status.conditions.TektonPipelineRunning).toMatchObject({
      status: 'True',
      reason: 'PipelineStarted',
      message: 'Pipeline created, waiting for Tekton to start execution',
    });
    expect(e.status.conditions.CooldownActive).toBeUndefined();
  });

  it('a failure before execution: completion now, the creation message, deduplicatedBy only when deduplicated', () => {
    const busy = toFailedBeforeExecution(
      inPhase('Pending'),
      { reason: 'Deduplicated', message: 'busy', workflowId: 'restart', deduplicatedBy: 'default/we-0' },
      NOW,
    );
    expect(busy.status).toMatchObject({ completionTime: NOW.toISOString(), deduplicatedBy: 'default/we-0' });
    expect(busy.status.conditions.TektonPipelineCreated?.message).toBe('Failed to create PipelineRun: busy');
    expect(busy.status.conditions.AuditRecorded?.message).toBe(
      'Audit event workflow.failed recorded to DataStorage',
    );
    expect(busy.status.failureDetails).toEqual({
      failedTaskIndex: 0,
      failedTaskName: '',
      reason: 'Deduplicated',
      message: 'busy',
      failedAt: NOW.toISOString(),
      executionTimeBeforeFailure: '0s',
      naturalLanguageSummary: `Workflow 'restart' failed on target '${TARGET}'.\nReason: Deduplicated\nError: busy\n`,
      wasExecutionFailure: false,
    });
    const refused = toFailedBeforeExecution(
      inPhase('Pending'),
      { reason: 'Forbidden', message: 'no', workflowId: 'restart' },
      NOW,
    );
    expect(refused.status).not.toHaveProperty('deduplicatedBy');
  });

  it.each([
    ['TaskFailed', 'step exited 1', 'TaskFailed', 'step exited 1'],
    ['DeadlineExceeded', 'timed out', 'DeadlineExceeded', 'Pipeline exceeded timeout deadline'],
    ['OOMKilled', 'killed', 'OOMKilled', 'Pipeline task killed due to out of memory'],
    ['Unknown', 'something broke', 'PipelineFailed', 'something broke'],
    ['Unknown', '', 'PipelineFailed', 'Pipeline execution failed'],
  ] as const)(
    'a run failed with %s (%j) sets TektonPipelineComplete=False/%s: %s',
    (reason, message, condition, said) => {
      const e = toFailedRun(inPhase('Running'), { ...details, reason, message }, SUMMARY, LATER, NOW);
      expect(e.status.conditions.TektonPipelineComplete).toMatchObject({
        status: 'False',
        reason: condition,
        message: said,
      });
      expect(e.status).toMatchObject({
        failureDetails: { reason, message },
        pipelineRunStatus: SUMMARY,
        completionTime: LATER.toISOString(),
        duration: '3m0s',
      });
      expect(e.status.conditions.AuditRecorded?.message).toBe(
        'Audit event workflow.failed recorded to DataStorage',
      );
    },
  );

  it('an end keeps the run summary it is given, and without a start lasts 0s', () => {
    const e = toCompleted(inPhase('Running'), SUMMARY, NOW, NOW);
    expect(e.status.pipelineRunStatus).toEqual(SUMMARY);
    expect(e.status.conditions.AuditRecorded?.message).toBe(
      'Audit event workflow.completed recorded to DataStorage',
    );
    const unstarted = { ...inPhase('Running'), status: { phase: 'Running' as const, conditions: {} } };
    expect(toCompleted(unstarted, undefined, NOW, NOW).status.duration).toBe('0s');
    expect(toFailedRun(inPhase('Running'), details, undefined, NOW, NOW).status).not.toHaveProperty(
      'pipelineRunStatus',
    );
  });

  it('a running refresh records the summary and the running message; a release says why', () => {
    const refreshed = runningRefreshed(inPhase('Running'), SUMMARY, 'Pipeline executing (Running)', NOW);
    expect(refreshed.status.pipelineRunStatus).toEqual(SUMMARY);
    expect(refreshed.status.conditions.TektonPipelineRunning).toMatchObject({
      status: 'True',
      reason: 'PipelineStarted',
      message: 'Pipeline executing (Running)',
    });
    expect(
      withLockReleased(inPhase('Completed'), 'cooldown over', NOW).status.conditions.LockReleased,
    ).toMatchObject({
      status: 'True',
      reason: 'LockReleased',
      message: 'cooldown over',
    });
  });

  it('an illegal move names both phases', () => {
    const illegal = () =>
      toRunning(inPhase('Completed'), { name: 'r', namespace: 'ns', adopted: false }, NOW);
    expect(illegal).toThrow('phase cannot move from Completed to Running');
    expect(illegal).toThrow(expect.objectContaining({ name: 'IllegalTransitionError' }));
  });
});
