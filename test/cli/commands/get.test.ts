import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually } from '../../local/aws/eventually.js';
import { manifestFile } from '../fixtures.js';
import { type CliSystem, startCliSystem } from '../harness.js';

describe('wfe get', () => {
  let cli: CliSystem;
  beforeAll(async () => {
    cli = await startCliSystem();
    await cli.run([
      'submit',
      '-f',
      await manifestFile(cli.dir, 'get.yaml', [
        {
          name: 'we-get',
          namespace: 'shop',
          target: 'shop/Deployment/cart',
          labels: { 'kubernaut.ai/correlation-id': 'rr-get' },
        },
      ]),
    ]);
    await eventually(async () => {
      const got = await cli.run(['get', 'shop/we-get', '-o', 'json']);
      expect(JSON.parse(got.out || '{}').status?.phase).toBe('Completed');
    }, 15_000);
  });
  afterAll(() => cli?.stop());

  it('prints the WorkflowExecution object with its status shaped like the CRD (-o json)', async () => {
    const { code, out } = await cli.run(['get', 'shop/we-get', '-o', 'json']);
    expect(code).toBe(0);
    const object = JSON.parse(out);
    expect(Object.keys(object)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    expect(object).toMatchObject({
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'WorkflowExecution',
      metadata: { name: 'we-get', namespace: 'shop', labels: { 'kubernaut.ai/correlation-id': 'rr-get' } },
      spec: { targetResource: 'shop/Deployment/cart', workflowRef: { workflowId: 'test-workflow' } },
      status: { phase: 'Completed', pipelineRunRef: { name: expect.stringMatching(/^wfe-[0-9a-f]{16}$/) } },
    });
    expect(object.metadata.creationTimestamp).toMatch(/^\d{4}-/);
    expect(Array.isArray(object.status.conditions)).toBe(true);
    expect(object.status.conditions.map((c: { type: string }) => c.type)).toEqual([
      'TektonPipelineCreated',
      'TektonPipelineRunning',
      'TektonPipelineComplete',
      'AuditRecorded',
    ]);
  });

  it('prints the same object as YAML (-o yaml)', async () => {
    const json = JSON.parse((await cli.run(['get', 'shop/we-get', '-o', 'json'])).out);
    expect(parse((await cli.run(['get', 'shop/we-get', '-o', 'yaml'])).out)).toEqual(json);
  });

  it('prints a table row, with more columns for -o wide', async () => {
    const table = (await cli.run(['get', 'shop/we-get'])).out.split('\n');
    expect(table[0]).toMatch(/^CLUSTER\s+NAMESPACE\s+NAME\s+PHASE\s+TARGET\s+WORKFLOW\s+DURATION\s+AGE$/);
    expect(table[1]).toMatch(
      /^default\s+shop\s+we-get\s+Completed\s+shop\/Deployment\/cart\s+test-workflow\s+\d+s\s+\d+/,
    );
    expect((await cli.run(['get', 'shop/we-get', '-o', 'wide'])).out).toMatch(
      /PIPELINERUN[\s\S]*wfe-[0-9a-f]{16}/,
    );
  });

  it('fails with one line for an unknown execution, a malformed name or output format', async () => {
    const missing = await cli.run(['get', 'shop/nope']);
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toBe(
      `wfe get: workflowexecution default/shop/nope not found in the local system (wfe dev, pid ${process.pid})\n`,
    );
    expect(await cli.run(['get', 'a/b/c/d'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/NAMESPACE\/NAME/),
    });
    expect(await cli.run(['get'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/NAMESPACE\/NAME is required/),
    });
    expect(await cli.run(['get', 'shop/we-get', '-o', 'xml'])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/-o must be one of/),
    });
  });

  it('reads NAME alone as namespace default', async () => {
    expect((await cli.run(['get', 'nope'])).err).toMatch(/default\/nope not found/);
  });

  it('has --help', async () => {
    expect((await cli.run(['get', '--help'])).out).toMatch(/^Usage: wfe get NAMESPACE\/NAME/);
  });
});
