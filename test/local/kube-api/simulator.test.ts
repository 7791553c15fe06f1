import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import { fixedClock } from '../../fakes/clock.js';
import { asObj, type Clients, clients, NS, type Obj, PR, pipelineRun, stepsOf, TR } from './kube-client.js';

const clock = fixedClock('2026-03-01T12:00:00Z');
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let kubeApi: KubeApi;
let c: Clients;
let name: string;
let counter = 0;

beforeAll(async () => {
  kubeApi = await startKubeApi({ clock: clock.now, simulator: { tasks: ['validate', 'remediate'] } });
  c = clients(kubeApi);
});
afterAll(() => kubeApi.close());

beforeEach(async () => {
  counter += 1;
  name = `wfe-sim-${counter}`;
  clock.set('2026-03-01T12:00:00Z');
  await c.custom.createNamespacedCustomObject({
    ...PR,
    body: pipelineRun(name, { spec: { timeouts: { pipeline: '30m' } } }),
  });
});

const read = async (n = name) => asObj(await c.custom.getNamespacedCustomObject({ ...PR, name: n }));
const readTask = async (task: string) =>
  asObj(await c.custom.getNamespacedCustomObject({ ...TR, name: `${name}-${task}` }));
const condition = (o: Obj) => (o.status?.conditions as Record<string, unknown>[] | undefined)?.[0];
const ref = (task: string) => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'TaskRun',
  name: `${name}-${task}`,
  pipelineTaskName: task,
});

describe('manual simulator', () => {
  it('leaves a new run without status until told', async () => {
    expect((await read()).status).toBeUndefined();
  });

  it('starts a run: Running with startTime and the first TaskRun, generation unchanged', async () => {
    const before = await read();
    clock.advance(1000);
    kubeApi.simulator.start(NS, name);
    const run = await read();
    expect(run.status).toEqual({
      conditions: [
        {
          type: 'Succeeded',
          status: 'Unknown',
          reason: 'Running',
          message: 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0',
          lastTransitionTime: '2026-03-01T12:00:01Z',
        },
      ],
      startTime: '2026-03-01T12:00:01Z',
      childReferences: [ref('validate')],
    });
    expect(run.metadata.generation).toBe(1);
    expect(Number(run.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect(run.metadata.labels?.['tekton.dev/pipeline']).toBe('workflow');
    const task = await readTask('validate');
    expect(condition(task)).toMatchObject({ status: 'Unknown', reason: 'Running' });
    expect(task.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'PipelineRun', name, uid: run.metadata.uid, controller: true }),
    ]);
  });

  it('shows ResolvingPipelineRef while the bundle is fetched', async () => {
    kubeApi.simulator.resolving(NS, name);
    expect(condition(await read())).toMatchObject({
      status: 'Unknown',
      reason: 'ResolvingPipelineRef',
      message: `PipelineRun ${NS}/${name} awaiting remote resource`,
    });
  });

  it('succeeds: True/Succeeded, completionTime, every TaskRun succeeded with exit code 0', async () => {
    kubeApi.simulator.start(NS, name);
    clock.advance(90_000);
    kubeApi.simulator.succeed(NS, name);
    const run = await read();
    expect(condition(run)).toEqual({
      type: 'Succeeded',
      status: 'True',
      reason: 'Succeeded',
      message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 0',
      lastTransitionTime: '2026-03-01T12:01:30Z',
    });
    expect(run.status?.startTime).toBe('2026-03-01T12:00:00Z');
    expect(run.status?.completionTime).toBe('2026-03-01T12:01:30Z');
    expect(run.status?.childReferences).toEqual([ref('validate'), ref('remediate')]);
    for (const task of ['validate', 'remediate']) {
      const taskRun = await readTask(task);
      expect(condition(taskRun)).toMatchObject({ status: 'True', reason: 'Succeeded' });
      expect(stepsOf(taskRun)[0]?.terminated?.exitCode).toBe(0);
    }
  });

  it('fails a task: False/Failed, the failed TaskRun with its exit code, later tasks skipped', async () => {
    kubeApi.simulator.fail(NS, name, { failedTask: { name: 'validate', exitCode: 3 } });
    const run = await read();
    expect(condition(run)).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1',
    });
    expect(run.status?.childReferences).toEqual([ref('validate')]);
    expect(run.status?.skippedTasks).toEqual([{ name: 'remediate', reason: 'PipelineRun was stopping' }]);
    const failed = await readTask('validate');
    expect(condition(failed)).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: '"step-validate" exited with code 3',
    });
    expect(failed.status?.steps).toEqual([
      expect.objectContaining({ terminated: expect.objectContaining({ exitCode: 3, reason: 'Error' }) }),
    ]);
  });

  it('fails the second task after the first succeeded', async () => {
    kubeApi.simulator.start(NS, name);
    kubeApi.simulator.fail(NS, name, {
      failedTask: { name: 'remediate', exitCode: 137, reason: 'OOMKilled' },
    });
    expect(condition(await read())?.message).toBe('Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0');
    expect(condition(await readTask('validate'))).toMatchObject({ status: 'True' });
    expect(stepsOf(await readTask('remediate'))[0]?.terminated).toEqual({
      exitCode: 137,
      reason: 'OOMKilled',
      startedAt: '2026-03-01T12:00:00Z',
      finishedAt: '2026-03-01T12:00:00Z',
    });
  });

  it('fails with a given reason and message, without startTime when not started (Kubernaut test shape)', async () => {
    kubeApi.simulator.fail(NS, name, {
      reason: 'TaskRunImagePullFailed',
      message: 'Failed to pull image: image pull backoff',
      started: false,
    });
    const run = await read();
    expect(condition(run)).toMatchObject({
      status: 'False',
      reason: 'TaskRunImagePullFailed',
      message: 'Failed to pull image: image pull backoff',
    });
    expect(run.status?.startTime).toBeUndefined();
    expect(run.status?.childReferences).toBeUndefined();
    expect(run.status?.completionTime).toBe('2026-03-01T12:00:00Z');
  });

  it('times out: False/PipelineRunTimeout quoting spec.timeouts.pipeline, running TaskRuns cancelled', async () => {
    kubeApi.simulator.start(NS, name);
    clock.advance(30 * 60_000);
    kubeApi.simulator.timeOut(NS, name);
    const run = await read();
    expect(condition(run)).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: `PipelineRun "${name}" failed to finish within "30m0s"`,
    });
    expect(run.status?.completionTime).toBe('2026-03-01T12:30:00Z');
    expect(condition(await readTask('validate'))).toMatchObject({
      status: 'False',
      reason: 'TaskRunCancelled',
    });
  });

  it('cancels when a client sets spec.status to Cancelled', async () => {
    kubeApi.simulator.start(NS, name);
    await c.custom.patchNamespacedCustomObject(
      { ...PR, name, body: { spec: { status: 'Cancelled' } } },
      merge,
    );
    const run = await read();
    expect(condition(run)).toMatchObject({
      status: 'False',
      reason: 'Cancelled',
      message: `PipelineRun "${name}" was cancelled`,
    });
    expect(run.status?.completionTime).toBeDefined();
    expect(run.metadata.generation).toBe(2);
    const taskRun = await readTask('validate');
    expect(taskRun.spec?.status).toBe('TaskRunCancelled');
    expect(condition(taskRun)).toMatchObject({ status: 'False', reason: 'TaskRunCancelled' });
  });

  it('cancels a run that never started, giving it a startTime', async () => {
    kubeApi.simulator.cancel(NS, name);
    const run = await read();
    expect(condition(run)).toMatchObject({ status: 'False', reason: 'Cancelled' });
    expect(run.status?.startTime).toBe('2026-03-01T12:00:00Z');
  });

  it('does nothing to a run that is already done', async () => {
    kubeApi.simulator.succeed(NS, name);
    const done = await read();
    kubeApi.simulator.fail(NS, name);
    kubeApi.simulator.timeOut(NS, name);
    expect((await read()).metadata.resourceVersion).toBe(done.metadata.resourceVersion);
  });

  it('writes a raw status like Status().Update', async () => {
    const status = {
      conditions: [
        { type: 'Succeeded', status: 'False', reason: 'TaskRunFailed', message: 'task failed: OOMKilled' },
      ],
      startTime: '2026-03-01T11:59:00Z',
    };
    kubeApi.simulator.setStatus(NS, name, status);
    const run = await read();
    expect(run.status).toEqual(status);
    expect(run.metadata.generation).toBe(1);
  });

  it('collects the TaskRuns of a deleted run', async () => {
    kubeApi.simulator.succeed(NS, name);
    expect(
      kubeApi.store.list('taskruns', NS).filter((t) => t.metadata.name.startsWith(`${name}-`)),
    ).toHaveLength(2);
    kubeApi.simulator.delete(NS, name);
    expect(kubeApi.store.get('pipelineruns', NS, name)).toBeUndefined();
    expect(kubeApi.store.list('taskruns', NS).filter((t) => t.metadata.name.startsWith(`${name}-`))).toEqual(
      [],
    );
  });

  it('marks a run created as PipelineRunPending as pending', async () => {
    kubeApi.simulator.pending(NS, name);
    expect(condition(await read())).toMatchObject({
      status: 'Unknown',
      reason: 'PipelineRunPending',
      message: `PipelineRun "${name}" is pending`,
    });
  });
});
