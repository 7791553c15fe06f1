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

describe("what a run's status tells its execution, field by field (WE-6, WE-15)", () => {
  const INPUT = { workflowId: 'restart-pod', target: 'default/deployment/app', now: NOW };

  it("a run's summary carries Tekton's reason and message, bounded, and completedTasks only once counted", () => {
    const long = 'm'.repeat(5000);
    const outcome = runOutcome(run({ succeeded: cond('Unknown', 'Running', long) }));
    expect(outcome.summary).toStrictEqual({
      status: 'Unknown',
      reason: 'Running',
      message: `${'m'.repeat(4096)}… [cut 904 characters]`,
      totalTasks: 3,
    });
    expect(runOutcome(run()).summary).toStrictEqual({ status: 'Unknown', totalTasks: 3 });
  });

  it('reads only TaskRuns among the children (a CustomRun is not one)', async () => {
    const c = new MemoryCluster();
    c.taskRuns.set(`${NS}/wfe-1-check`, { name: 'wfe-1-check', succeeded: cond('True', 'Succeeded') });
    c.taskRuns.set(`${NS}/wfe-1-approve`, { name: 'wfe-1-approve', succeeded: cond('False', 'Failed') });
    const mixed = run({
      succeeded: cond('False', 'Failed', 'Tasks Completed: 1 (Failed: 1)'),
      childReferences: [
        { kind: 'CustomRun', name: 'wfe-1-approve', pipelineTaskName: 'approve' },
        { kind: 'TaskRun', name: 'wfe-1-check', pipelineTaskName: 'check' },
      ],
    });
    expect(await countCompletedTasks(c, mixed)).toBe(1);
    expect(await failureDetails(c, mixed, INPUT)).toMatchObject({ failedTaskName: '', failedTaskIndex: 0 });
    expect(c.calls).toEqual(['getTaskRun', 'getTaskRun']);
  });

  it('a failed run with no failed TaskRun (a timeout before any task): no task, no exit code, the full summary', async () => {
    const timedOut = run({
      succeeded: cond('False', 'PipelineRunTimeout', 'PipelineRun exceeded timeout of 10 minutes'),
    });
    expect(
      await failureDetails(new MemoryCluster(), timedOut, { ...INPUT, startTime: '2026-03-01T10:00:00Z' }),
    ).toEqual({
      failedTaskIndex: 0,
      failedTaskName: '',
      reason: 'DeadlineExceeded',
      message: 'PipelineRun exceeded timeout of 10 minutes',
      failedAt: NOW.toISOString(),
      executionTimeBeforeFailure: '2m0s',
      naturalLanguageSummary:
        "Workflow 'restart-pod' failed on target 'default/deployment/app'.\nReason: DeadlineExceeded\nError: PipelineRun exceeded timeout of 10 minutes\nFailed after: 2m0s\nRecommendation: The workflow exceeded its timeout. Consider increasing the timeout or using a faster workflow variant.\n",
      wasExecutionFailure: true,
    });
  });

  it('a run that never started and has no TaskRuns failed before executing; no start time is 0s', async () => {
    const refused = run({
      startTime: undefined,
      childReferences: [],
      succeeded: cond('False', 'CouldntGetTask', 'image pull failed: ImagePullBackOff'),
    });
    expect(await failureDetails(new MemoryCluster(), refused, INPUT)).toMatchObject({
      reason: 'ImagePullBackOff',
      executionTimeBeforeFailure: '0s',
      wasExecutionFailure: false,
    });
    const unread = run({ succeeded: undefined });
    expect(await failureDetails(new MemoryCluster(), unread, INPUT)).toMatchObject({
      reason: 'Unknown',
      message: '',
    });
  });

  it('a started run that failed for a reason not classified did execute; one with TaskRuns but no start too', async () => {
    const odd = run({ succeeded: cond('False', 'Failed', 'something odd') });
    expect(await failureDetails(new MemoryCluster(), odd, INPUT)).toMatchObject({
      reason: 'Unknown',
      wasExecutionFailure: true,
    });
    const unstarted = { ...odd, startTime: undefined };
    expect(await failureDetails(new MemoryCluster(), unstarted, INPUT)).toMatchObject({
      wasExecutionFailure: true,
    });
  });

  it('a TaskRun Tekton has not given a status yet neither completed nor failed', async () => {
    const c = new MemoryCluster();
    c.taskRuns.set(`${NS}/wfe-1-check`, { name: 'wfe-1-check' });
    const pending = run({ succeeded: cond('False', 'Failed') });
    expect(await countCompletedTasks(c, pending)).toBe(0);
    expect(await failureDetails(c, pending, INPUT)).toMatchObject({ failedTaskName: '' });
  });

  it('a failed TaskRun without an exit code records none, and a long TaskRun name is bounded', async () => {
    const c = new MemoryCluster();
    const name = 'n'.repeat(5000);
    c.taskRuns.set(`${NS}/${name}`, { name, succeeded: cond('False', 'Failed') });
    const failed = run({ succeeded: cond('False', 'Failed'), childReferences: [{ kind: 'TaskRun', name }] });
    const details = await failureDetails(c, failed, INPUT);
    expect(details).not.toHaveProperty('exitCode');
    expect(details.failedTaskName).toBe(`${'n'.repeat(4096)}… [cut 904 characters]`);
  });

  it('a run deleted externally: the whole record Kubernaut writes (BR-WE-007)', () => {
    expect(deletedExternally({ workflowId: 'w', target: 't', now: NOW })).toEqual({
      failedTaskIndex: 0,
      failedTaskName: '',
      reason: 'Unknown',
      message: 'PipelineRun was deleted externally',
      failedAt: NOW.toISOString(),
      executionTimeBeforeFailure: '0s',
      naturalLanguageSummary:
        "Workflow 'w' failed on target 't'.\nReason: Unknown\nError: PipelineRun was deleted externally\nFailed after: 0s\n",
      wasExecutionFailure: false,
    });
  });
});
