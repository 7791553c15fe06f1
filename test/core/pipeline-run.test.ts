import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../functions/core/manifest.js';
import { buildPipelineRun, isOwnedBy, pipelineRunName } from '../../functions/core/pipeline-run.js';
import { type ManifestOptions, manifest } from '../fixtures/manifests.js';

const settings = { namespace: 'kubernaut-workflows', serviceAccountName: 'kubernaut-workflow-runner' };
const build = (o: ManifestOptions = {}) => {
  const parsed = parseManifest(manifest(o));
  if (!parsed.ok) throw new Error(parsed.reason);
  return buildPipelineRun(parsed.manifest, settings);
};

describe('WE-4 PipelineRun', () => {
  it.each([
    ['production/deployment/payment-api', 'wfe-fbb8266ac354e9c2'],
    ['default/deployment/test-app', 'wfe-196200272a2c85fd'],
    ['node/worker-node-1', 'wfe-ac45b7d6911e97a5'],
  ])('names the run for %s deterministically (%s, 20 characters)', (target, expected) => {
    expect(pipelineRunName(target)).toBe(expected);
    expect(pipelineRunName(target)).toHaveLength(20);
    expect(build({ target }).metadata.name).toBe(expected);
  });

  it('is case-sensitive: targets differing only in case get different runs', () => {
    expect(pipelineRunName('default/Deployment/app')).not.toBe(pipelineRunName('default/deployment/app'));
  });

  it('is created in the execution namespace with the four labels and the annotation', () => {
    const run = build({
      name: 'we-1',
      namespace: 'payment',
      target: 'payment/Deployment/payment-api',
      workflowId: 'increase-memory',
    });
    expect(run.apiVersion).toBe('tekton.dev/v1');
    expect(run.kind).toBe('PipelineRun');
    expect(run.metadata.namespace).toBe('kubernaut-workflows');
    expect(run.metadata.labels).toEqual({
      'kubernaut.ai/workflow-execution': 'we-1',
      'kubernaut.ai/workflow-id': 'increase-memory',
      'kubernaut.ai/target-resource': 'payment__Deployment__payment-api',
      'kubernaut.ai/source-namespace': 'payment',
    });
    expect(run.metadata.annotations).toEqual({
      'kubernaut.ai/target-resource': 'payment/Deployment/payment-api',
    });
    expect(isOwnedBy(run.metadata.labels, { cluster: 'default', namespace: 'payment', name: 'we-1' })).toBe(
      true,
    );
    expect(isOwnedBy(run.metadata.labels, { cluster: 'default', namespace: 'default', name: 'we-1' })).toBe(
      false,
    );
  });

  it('resolves the workflow through the bundles resolver', () => {
    expect(build({ image: 'quay.io/kubernaut/wf:v1' }).spec.pipelineRef).toEqual({
      resolver: 'bundles',
      params: [
        { name: 'bundle', value: 'quay.io/kubernaut/wf:v1' },
        { name: 'name', value: 'workflow' },
        { name: 'kind', value: 'pipeline' },
      ],
    });
  });

  it('passes every parameter, in a stable order, plus TARGET_RESOURCE last', () => {
    const run = build({
      parameters: { REPLICA_COUNT: '3', NAMESPACE: 'production', DEPLOYMENT_NAME: 'my-service' },
    });
    expect(run.spec.params).toEqual([
      { name: 'DEPLOYMENT_NAME', value: 'my-service' },
      { name: 'NAMESPACE', value: 'production' },
      { name: 'REPLICA_COUNT', value: '3' },
      { name: 'TARGET_RESOURCE', value: 'default/deployment/test-app' },
    ]);
  });

  it('uses the default service account, or the one the request names', () => {
    expect(build().spec.taskRunTemplate.serviceAccountName).toBe('kubernaut-workflow-runner');
    expect(build({ serviceAccountName: 'custom-workflow-sa' }).spec.taskRunTemplate.serviceAccountName).toBe(
      'custom-workflow-sa',
    );
  });

  it('sets timeouts.pipeline from executionConfig.timeout, and nothing when it is absent', () => {
    expect(build({ timeout: '30m' }).spec.timeouts).toEqual({ pipeline: '30m0s' });
    expect(build({ timeout: '1h30m' }).spec.timeouts).toEqual({ pipeline: '1h30m0s' });
    expect(build().spec.timeouts).toBeUndefined();
  });
});
