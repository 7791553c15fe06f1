import { describe, expect, it } from 'vitest';
import type { RunState } from '../../functions/core/ports.js';
import {
  countCompletedTasks,
  deletedExternally,
  failureDetails,
  runOutcome,
} from '../../functions/core/run-status.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';

const NS = 'kubernaut-workflows';
const NOW = new Date('2026-03-01T10:02:00Z');

function run(change: Partial<RunState> = {}): RunState {
  return {
    name: 'wfe-1',
    namespace: NS,
    uid: 'u-1',
    labels: {},
    startTime: '2026-03-01T10:00:00Z',
    childReferences: [
      { kind: 'TaskRun', name: 'wfe-1-check', pipelineTaskName: 'check' },
      { kind: 'TaskRun', name: 'wfe-1-restart', pipelineTaskName: 'restart' },
      { kind: 'TaskRun', name: 'wfe-1-verify', pipelineTaskName: 'verify' },
    ],
    ...change,
  };
}

const cond = (status: 'True' | 'False' | 'Unknown', reason: string, message = '') => ({
  status,
  reason,
  message,
});

describe('runOutcome: what a run’s Succeeded condition means (WE-6)', () => {
  it.each([
    [undefined, 'running', 'Unknown', 'Pipeline created, waiting for Tekton to start execution'],
    [cond('Unknown', 'Running'), 'running', 'Unknown', 'Pipeline executing (Running)'],
    [cond('Unknown', 'Cancelling'), 'running', 'Unknown', 'Pipeline executing (Cancelling)'],
    [cond('True', 'Succeeded'), 'succeeded', 'True', undefined],
    [cond('False', 'Failed'), 'failed', 'False', undefined],
    [cond('False', 'PipelineRunTimeout'), 'failed', 'False', undefined],
  ] as const)('%j → %s', (succeeded, kind, status, message) => {
    const outcome = runOutcome(run({ succeeded, completionTime: '2026-03-01T10:01:00Z' }), 1);
    expect(outcome.kind).toBe(kind);
    expect(outcome.summary).toMatchObject({ status, completedTasks: 1, totalTasks: 3 });
    if (outcome.kind === 'running') expect(outcome.message).toBe(message);
    else expect(outcome.completionTime).toBe('2026-03-01T10:01:00Z');
  });
});

describe('TaskRuns', () => {
  function cluster() {
    const c = new MemoryCluster();
    c.taskRuns.set(`${NS}/wfe-1-check`, { name: 'wfe-1-check', succeeded: cond('True', 'Succeeded') });
    c.taskRuns.set(`${NS}/wfe-1-restart`, {
      name: 'wfe-1-restart',
      succeeded: cond('False', 'Failed', 'step restart exited 2'),
      exitCode: 2,
    });
    return c;
  }

  it('counts the TaskRuns that succeeded', async () => {
    expect(await countCompletedTasks(cluster(), run())).toBe(1);
  });

  it('names the first failed TaskRun, its index and exit code, classified (BR-WE-004)', async () => {
    const failed = run({ succeeded: cond('False', 'Failed', 'Tasks Completed: 2 (Failed: 1)') });
    const details = await failureDetails(cluster(), failed, {
      workflowId: 'restart-pod',
      target: 'default/deployment/app',
      startTime: '2026-03-01T10:00:00Z',
      now: NOW,
    });
    expect(details).toMatchObject({
      failedTaskIndex: 1,
      failedTaskName: 'wfe-1-restart',
      reason: 'TaskFailed',
      exitCode: 2,
      failedAt: NOW.toISOString(),
      executionTimeBeforeFailure: '2m0s',
      wasExecutionFailure: true,
    });
  });

  it('a run deleted while Running fails as Unknown, nothing executed by its account', () => {
    expect(
      deletedExternally({ workflowId: 'w', target: 't', startTime: '2026-03-01T10:01:00Z', now: NOW }),
    ).toMatchObject({
      reason: 'Unknown',
      message: 'PipelineRun was deleted externally',
      executionTimeBeforeFailure: '1m0s',
      wasExecutionFailure: false,
    });
  });
});
