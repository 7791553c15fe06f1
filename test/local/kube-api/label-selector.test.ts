import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApi, startKubeApi } from '../../../local/kube-api/index.js';
import { parseLabelSelector, SelectorError } from '../../../local/kube-api/label-selector.js';
import { type Clients, clients, failureOf, PR, pipelineRun } from './kube-client.js';

describe('parseLabelSelector', () => {
  const labels = { app: 'wfe', tier: 'backend', version: '3' };
  it.each([
    ['', true],
    ['app=wfe', true],
    ['app==wfe', true],
    ['app!=wfe', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['app in (wfe, other)', true],
    ['app in (other)', false],
    ['app notin (other)', true],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=wfe,tier=backend', true],
    ['app=wfe, tier=frontend', false],
    ['version>2', true],
    ['version<3', false],
    ['app=', false],
  ])('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it.each(['app=a=b', 'app in a', 'app in ()', '=x', 'app notin (a', 'bad key=1', 'app=bad value!'])(
    'refuses %s',
    (selector) => {
      expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
    },
  );
});

describe('label selectors and label validation through the API', () => {
  let kubeApi: KubeApi;
  let c: Clients;

  beforeAll(async () => {
    kubeApi = await startKubeApi();
    c = clients(kubeApi);
    const labelled = (name: string, labels: Record<string, string>) =>
      c.custom.createNamespacedCustomObject({
        ...PR,
        namespace: 'sel',
        body: pipelineRun(name, { metadata: { labels } }),
      });
    await labelled('wfe-a', { 'kubernaut.ai/workflow-execution': 'we-a', tier: 'one' });
    await labelled('wfe-b', { 'kubernaut.ai/workflow-execution': 'we-b', tier: 'two' });
    await labelled('wfe-c', { tier: 'two' });
  });
  afterAll(() => kubeApi.close());

  const names = async (labelSelector: string, fieldSelector?: string) => {
    const list = (await c.custom.listNamespacedCustomObject({
      ...PR,
      namespace: 'sel',
      labelSelector,
      ...(fieldSelector ? { fieldSelector } : {}),
    })) as { items: { metadata: { name: string } }[] };
    return list.items.map((i) => i.metadata.name);
  };

  it.each([
    ['kubernaut.ai/workflow-execution=we-a', ['wfe-a']],
    ['kubernaut.ai/workflow-execution==we-b', ['wfe-b']],
    ['tier!=one', ['wfe-b', 'wfe-c']],
    ['tier in (one,two)', ['wfe-a', 'wfe-b', 'wfe-c']],
    ['tier notin (two)', ['wfe-a']],
    ['kubernaut.ai/workflow-execution', ['wfe-a', 'wfe-b']],
    ['!kubernaut.ai/workflow-execution', ['wfe-c']],
  ])('lists %s', async (selector, expected) => {
    expect(await names(selector)).toEqual(expected);
  });

  it('filters by metadata.name field selector', async () => {
    expect(await names('', 'metadata.name=wfe-b')).toEqual(['wfe-b']);
    expect(await names('tier=two', 'metadata.name!=wfe-b')).toEqual(['wfe-c']);
  });

  it('answers 400 BadRequest for a selector that does not parse', async () => {
    const failure = await failureOf(
      c.custom.listNamespacedCustomObject({ ...PR, namespace: 'sel', labelSelector: 'a in b' }),
    );
    expect(failure.code).toBe(400);
    expect(failure.status.reason).toBe('BadRequest');
    const field = await failureOf(
      c.custom.listNamespacedCustomObject({ ...PR, namespace: 'sel', fieldSelector: 'spec.x=1' }),
    );
    expect(field.status.message).toContain('field label not supported: spec.x');
  });

  it('answers 422 Invalid with the exact shape for a bad name', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({ ...PR, body: pipelineRun('Bad_Name') }),
    );
    const rule =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    expect(failure.code).toBe(422);
    expect(failure.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `PipelineRun.tekton.dev "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${rule}`,
      reason: 'Invalid',
      details: {
        name: 'Bad_Name',
        group: 'tekton.dev',
        kind: 'PipelineRun',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: "Bad_Name": ${rule}`,
            field: 'metadata.name',
          },
        ],
      },
      code: 422,
    });
    expect(Object.keys(failure.status)).toEqual([
      'kind',
      'apiVersion',
      'metadata',
      'status',
      'message',
      'reason',
      'details',
      'code',
    ]);
  });

  it('answers 422 Invalid on metadata.labels for a bad or too long label value, listing every problem', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-labels', {
          metadata: { labels: { ok: 'fine', bad: 'a/b', long: 'x'.repeat(64) } },
        }),
      }),
    );
    expect(failure.code).toBe(422);
    const causes = (failure.status.details as { causes: { field: string; message: string }[] }).causes;
    expect(causes.map((cause) => cause.field)).toEqual(['metadata.labels', 'metadata.labels']);
    expect(causes[0]?.message).toContain(
      'a valid label must be an empty string or consist of alphanumeric characters',
    );
    expect(causes[1]?.message).toContain('must be no more than 63 characters');
    expect(failure.status.message).toMatch(
      /^PipelineRun\.tekton\.dev "wfe-labels" is invalid: \[metadata\.labels: .*, metadata\.labels: .*\]$/,
    );
  });

  it('answers 422 for a bad label key', async () => {
    const failure = await failureOf(
      c.custom.createNamespacedCustomObject({
        ...PR,
        body: pipelineRun('wfe-key', { metadata: { labels: { 'bad key': 'v' } } }),
      }),
    );
    expect(failure.code).toBe(422);
    expect(failure.status.message).toContain('name part must consist of alphanumeric characters');
  });
});
