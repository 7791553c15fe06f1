import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import {
  asObj,
  type Clients,
  clients,
  eventually,
  NS,
  type Obj,
  PR,
  pipelineRun,
  stepsOf,
  TR,
} from './kube-client.js';

let kubeApi: KubeApi;
let c: Clients;

beforeAll(async () => {
  kubeApi = await startKubeApi({ simulator: { mode: 'auto', runDurationMs: 100, startDelayMs: 10 } });
  c = clients(kubeApi);
});
afterAll(() => kubeApi.close());

const condition = (o: Obj) => (o.status?.conditions as Record<string, unknown>[] | undefined)?.[0];

async function runWith(name: string, params: Record<string, string>, spec: Record<string, unknown> = {}) {
  const body = pipelineRun(name, {
    spec: { params: Object.entries(params).map(([n, value]) => ({ name: n, value })), ...spec },
  });
  await c.custom.createNamespacedCustomObject({ ...PR, body });
}

/** Polls until the run has finished (Succeeded is True or False), within a bounded time. */
const finished = (name: string, timeoutMs = 5000) =>
  eventually(async () => {
    const run = asObj(await c.custom.getNamespacedCustomObject({ ...PR, name }));
    expect(['True', 'False']).toContain(condition(run)?.status);
    return run;
  }, timeoutMs);

describe('auto mode', () => {
  it('starts and succeeds a run with no WFE_SIMULATE', async () => {
    await runWith('wfe-auto-ok', {});
    const run = await finished('wfe-auto-ok');
    expect(condition(run)).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(run.status?.startTime).toBeDefined();
  });

  it('fails with a failed TaskRun, exit code 1, for WFE_SIMULATE=fail', async () => {
    await runWith('wfe-auto-fail', { WFE_SIMULATE: 'fail' });
    const run = await finished('wfe-auto-fail');
    expect(condition(run)).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
    });
    const taskRun = asObj(
      await c.custom.getNamespacedCustomObject({ ...TR, name: 'wfe-auto-fail-remediate' }),
    );
    expect(condition(taskRun)).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(stepsOf(taskRun)[0]?.terminated?.exitCode).toBe(1);
  });

  it('kills the task with exit code 137 (OOMKilled) for WFE_SIMULATE=oom', async () => {
    await runWith('wfe-auto-oom', { WFE_SIMULATE: 'oom' });
    await finished('wfe-auto-oom');
    const taskRun = asObj(
      await c.custom.getNamespacedCustomObject({ ...TR, name: 'wfe-auto-oom-remediate' }),
    );
    expect(stepsOf(taskRun)[0]?.terminated).toMatchObject({
      exitCode: 137,
      reason: 'OOMKilled',
    });
  });

  it('times out for WFE_SIMULATE=timeout, quoting the pipeline timeout', async () => {
    await runWith('wfe-auto-timeout', { WFE_SIMULATE: 'timeout' });
    const run = await finished('wfe-auto-timeout');
    expect(condition(run)).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: 'PipelineRun "wfe-auto-timeout" failed to finish within "1h0m0s"',
    });
  });

  it('honours spec.timeouts.pipeline on a run that hangs', async () => {
    await runWith('wfe-auto-hang', { WFE_SIMULATE: 'hang' }, { timeouts: { pipeline: '200ms' } });
    const run = await finished('wfe-auto-hang');
    expect(condition(run)).toMatchObject({ reason: 'PipelineRunTimeout' });
  });

  it('keeps a hanging run going when it has no timeout', async () => {
    await runWith('wfe-auto-forever', { WFE_SIMULATE: 'hang' }, { timeouts: { pipeline: '0' } });
    await eventually(async () => {
      const run = asObj(await c.custom.getNamespacedCustomObject({ ...PR, name: 'wfe-auto-forever' }));
      expect(condition(run)).toMatchObject({ status: 'Unknown', reason: 'Running' });
    });
    kubeApi.simulator.cancel(NS, 'wfe-auto-forever');
    expect(condition(asObj(kubeApi.store.get('pipelineruns', NS, 'wfe-auto-forever')))).toMatchObject({
      reason: 'Cancelled',
    });
  });

  it('takes the run duration from WFE_SIMULATE_DURATION', async () => {
    await runWith('wfe-auto-slow', { WFE_SIMULATE_DURATION: '1s' });
    await runWith('wfe-auto-fast', { WFE_SIMULATE_DURATION: '1ms' });
    await finished('wfe-auto-fast');
    const slow = asObj(await c.custom.getNamespacedCustomObject({ ...PR, name: 'wfe-auto-slow' }));
    expect(['True', 'False']).not.toContain(condition(slow)?.status);
    expect(condition(await finished('wfe-auto-slow'))).toMatchObject({ status: 'True' });
  });

  it('fails a run whose WFE_SIMULATE it does not know, saying why', async () => {
    await runWith('wfe-auto-odd', { WFE_SIMULATE: 'explode' });
    const run = await finished('wfe-auto-odd');
    expect(condition(run)).toMatchObject({ status: 'False', reason: 'InvalidParamValue' });
    expect(String(condition(run)?.message)).toContain('"explode"');
  });

  it('waits while a run is PipelineRunPending and starts it once released', async () => {
    await runWith('wfe-auto-pending', {}, { status: 'PipelineRunPending' });
    await eventually(() =>
      expect(condition(asObj(kubeApi.store.get('pipelineruns', NS, 'wfe-auto-pending')))).toMatchObject({
        reason: 'PipelineRunPending',
      }),
    );
    await c.custom.patchNamespacedCustomObject({
      ...PR,
      name: 'wfe-auto-pending',
      body: [{ op: 'remove', path: '/spec/status' }],
    });
    expect(condition(await finished('wfe-auto-pending'))).toMatchObject({ status: 'True' });
  });
});
