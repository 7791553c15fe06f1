/**
 * Kubernaut's failure_classification_integration_test.go ("BR-WE-004: Tekton Failure Reason
 * Classification"): a PipelineRun ends Succeeded=False with a Tekton reason and message, started or
 * not, and the execution's failure details say why and whether the workflow really ran (WE-6).
 * Tekton is driven as Kubernaut's test drove it: the run's status written through the cluster API.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptanceSystem,
  auditEventsOf,
  condition,
  request,
  runningHeld,
  succeededCondition,
  unique,
} from './harness.js';

const h = acceptanceSystem();

/** Kubernaut's test created its WorkflowExecutions in the execution namespace. */
const WE_NAMESPACE = 'kubernaut-workflows';

interface Row {
  title: string;
  tektonReason: string;
  message: string;
  started: boolean;
  /** A failed TaskRun step's exit code, for the rows where a task ran and failed. */
  exitCode?: number;
  reason: string;
  wasExecutionFailure: boolean;
  /** TektonPipelineComplete=False reason. */
  completeReason: string;
}

const MATRIX: Row[] = [
  {
    title: 'should map TaskFailed reason correctly',
    tektonReason: 'TaskRunFailed',
    message: 'task failed with exit code 1',
    started: true,
    exitCode: 1,
    reason: 'TaskFailed',
    wasExecutionFailure: true,
    completeReason: 'TaskFailed',
  },
  {
    title: 'should map OOMKilled reason correctly',
    tektonReason: 'TaskRunFailed',
    message: 'task failed: OOMKilled',
    started: true,
    exitCode: 137,
    reason: 'OOMKilled',
    wasExecutionFailure: true,
    completeReason: 'OOMKilled',
  },
  {
    title: 'should map timeout reason correctly',
    tektonReason: 'PipelineRunTimeout',
    message: 'PipelineRun exceeded timeout of 10 minutes',
    started: true,
    reason: 'DeadlineExceeded',
    wasExecutionFailure: true,
    completeReason: 'DeadlineExceeded',
  },
  {
    title: 'should map forbidden reason correctly',
    tektonReason: 'TaskRunFailed',
    message: 'task failed: pods is forbidden: User cannot create resource',
    started: true,
    reason: 'Forbidden',
    wasExecutionFailure: true,
    completeReason: 'PipelineFailed',
  },
  {
    title: 'should map resource exhausted reason correctly',
    tektonReason: 'TaskRunCreationFailed',
    message: 'exceeded quota: compute resources',
    started: false,
    reason: 'ResourceExhausted',
    wasExecutionFailure: false,
    completeReason: 'PipelineFailed',
  },
  {
    title: 'should map configuration error reason correctly',
    tektonReason: 'TaskRunValidationFailed',
    message: 'invalid configuration: missing required parameter',
    started: false,
    reason: 'ConfigurationError',
    wasExecutionFailure: false,
    completeReason: 'PipelineFailed',
  },
  {
    title: 'should map image pull failure reason correctly',
    tektonReason: 'TaskRunImagePullFailed',
    message: 'Failed to pull image: image pull backoff',
    started: false,
    reason: 'ImagePullBackOff',
    wasExecutionFailure: false,
    completeReason: 'PipelineFailed',
  },
  {
    title: 'should map unknown failure reason correctly',
    tektonReason: 'PipelineRunFailed',
    message: 'unexpected error occurred',
    started: false,
    reason: 'Unknown',
    wasExecutionFailure: false,
    completeReason: 'PipelineFailed',
  },
];

describe.concurrent('BR-WE-004: Tekton Failure Reason Classification', () => {
  for (const row of MATRIX) {
    it(`BR-WE-004: ${row.title} — ${row.tektonReason} "${row.message}", ${row.started ? 'started' : 'not started'} → ${row.reason}, wasExecutionFailure=${row.wasExecutionFailure} (WE-6)`, async () => {
      const { name, target } = unique(`classify-${row.reason.toLowerCase()}`);
      const { runName, run } = await runningHeld(h, name, target, { namespace: WE_NAMESPACE });
      const taskRun = run.status!.childReferences![0]!.name;
      if (row.exitCode !== undefined) {
        await h.updateStatus('taskruns', taskRun, (status) => ({
          ...status,
          conditions: [
            succeededCondition('False', 'Failed', `"step-remediate" exited with code ${row.exitCode}`),
          ],
          steps: [
            {
              name: 'remediate',
              terminated: { exitCode: row.exitCode, reason: row.exitCode === 137 ? 'OOMKilled' : 'Error' },
            },
          ],
        }));
      }
      await h.updateStatus('pipelineruns', runName, (status) => {
        const ended = {
          conditions: [succeededCondition('False', row.tektonReason, row.message)],
          completionTime: new Date().toISOString(),
        };
        // Not started: no startTime and no TaskRuns, as Tekton reports a run that never got going.
        return row.started ? { ...status, ...ended } : ended;
      });
      const failed = await h.waitForPhase(name, 'Failed', { namespace: WE_NAMESPACE });
      const details = failed.status.failureDetails!;
      expect(details.reason).toBe(row.reason);
      expect(details.wasExecutionFailure).toBe(row.wasExecutionFailure);
      expect(details.message).toBe(row.message);
      expect(details.naturalLanguageSummary).toContain(`Reason: ${row.reason}`);
      expect(failed.status.pipelineRunStatus).toMatchObject({ status: 'False', reason: row.tektonReason });
      expect(condition(failed, 'TektonPipelineComplete')).toMatchObject({
        status: 'False',
        reason: row.completeReason,
      });
      if (row.exitCode !== undefined) {
        // The failed TaskRun's name, its index among the run's children, and the step's exit code.
        expect(details).toMatchObject({
          failedTaskName: taskRun,
          failedTaskIndex: 0,
          exitCode: row.exitCode,
        });
      } else {
        expect(details.exitCode).toBeUndefined();
      }
      const [event] = await auditEventsOf(h, name, 'workflow.failed');
      expect(event!.event_data).toMatchObject({ failure_reason: row.reason, failure_message: row.message });
    });
  }

  it('BR-WE-004: executionConfig.timeout is honoured — timeouts.pipeline on the run, DeadlineExceeded when it passes (deliberately different: Kubernaut ignored the timeout) (WE-4, WE-6)', async () => {
    const { name, target } = unique('classify-timeout');
    await h.submit(request({ name, target, simulate: 'hang', timeout: '1s', namespace: WE_NAMESPACE }));
    const running = await h.waitForExecution(
      name,
      (we) => Boolean(we.status.pipelineRunRef),
      'to have a run',
      {
        namespace: WE_NAMESPACE,
      },
    );
    const run = await h.pipelineRun(running.status.pipelineRunRef!.name);
    expect(run?.spec?.timeouts).toEqual({ pipeline: '1s' });
    const failed = await h.waitForPhase(name, 'Failed', { namespace: WE_NAMESPACE });
    expect(failed.status.failureDetails).toMatchObject({
      reason: 'DeadlineExceeded',
      wasExecutionFailure: true,
    });
    expect(condition(failed, 'TektonPipelineComplete')).toMatchObject({
      status: 'False',
      reason: 'DeadlineExceeded',
      message: 'Pipeline exceeded timeout deadline',
    });
    expect(failed.status.failureDetails!.naturalLanguageSummary).toContain('exceeded its timeout');
  });
});
