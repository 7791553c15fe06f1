/**
 * WE-15 guardrails end to end: a request through the queue that asks for a service account or a
 * bundle outside the operator's allow-lists ends Failed/ConfigurationError, as `wfe get` shows it,
 * with no PipelineRun in the cluster and no lock on its target.
 */
import { describe, expect, it } from 'vitest';
import { acceptanceSystem, expectedRunName, request, unique } from './harness.js';

const h = acceptanceSystem({
  env: {
    ALLOWED_SERVICE_ACCOUNTS: 'kubernaut-workflow-runner,custom-workflow-sa',
    ALLOWED_BUNDLE_PREFIXES: 'ghcr.io/kubernaut/',
  },
});

describe.concurrent('WE-15 guardrails', () => {
  it.each([
    ['a service account', { serviceAccountName: 'cluster-admin-sa' }, 'ALLOWED_SERVICE_ACCOUNTS'],
    ['a bundle', { image: 'docker.io/attacker/workflow@sha256:abc123' }, 'ALLOWED_BUNDLE_PREFIXES'],
  ])(
    'WE-15: %s outside the allow-list ends Failed/ConfigurationError with no PipelineRun',
    async (_, options, setting) => {
      const { name, target } = unique('guard');
      await h.submit(request({ name, target, ...options }));
      const we = await h.waitForPhase(name, 'Failed');
      expect(we.status.failureDetails).toMatchObject({
        reason: 'ConfigurationError',
        wasExecutionFailure: false,
      });
      expect(we.status.failureDetails?.message).toContain(setting);
      expect(we.status.pipelineRunRef).toBeUndefined();
      expect(await h.pipelineRun(expectedRunName(target))).toBeUndefined();
      expect((await h.locks()).filter((l) => l.target === target)).toEqual([]);
    },
  );

  it('WE-15: a listed service account and bundle start', async () => {
    const { name, target } = unique('guard-ok');
    await h.submit(request({ name, target, serviceAccountName: 'custom-workflow-sa' }));
    await h.waitForPhase(name, 'Completed');
    expect((await h.pipelineRun(expectedRunName(target)))?.spec?.taskRunTemplate?.serviceAccountName).toBe(
      'custom-workflow-sa',
    );
  });
});
