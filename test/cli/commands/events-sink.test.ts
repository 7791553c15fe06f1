/**
 * `wfe events-sink` (WE-13): the deployed sink's whole URL from the stack's outputs and the token's
 * secret, and the kubectl command for Tekton's config-events; the local sink's while `wfe dev` runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackOutput } from '../../../infra/outputs.js';
import { startFakeAws } from '../fake-aws.js';
import { wfe } from '../harness.js';

const SINK = 'https://abc123.lambda-url.eu-west-1.on.aws/tekton/';
const TOKEN_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:EventsToken-AbCdEf';
const patchFor = (url: string) =>
  `kubectl patch configmap config-events -n tekton-pipelines --type merge -p '{"data":{"sink":"${url}"}}'`;

describe('wfe events-sink', () => {
  let aws: Awaited<ReturnType<typeof startFakeAws>>;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    aws = await startFakeAws(
      {
        name: 'wfe-prod',
        outputs: {
          // Every wfe stack has these; the command reads none of them.
          [StackOutput.TableName]: 'wfe-state',
          [StackOutput.QueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wfe-requests',
          [StackOutput.AuditDlqUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wfe-audit-dlq',
          [StackOutput.ExecutionNamespace]: 'kubernaut-workflows',
          [StackOutput.ClusterName]: 'prod-eu',
          [StackOutput.EventsSinkUrl]: SINK,
          [StackOutput.EventsTokenSecretArn]: TOKEN_ARN,
        },
      },
      'arn:aws:iam::123456789012:user/alice',
      { [TOKEN_ARN]: 'Zq7xK2mP9wR4tY6uI8oA1sD3fG5hJ0lC\n' },
    );
    dir = await mkdtemp(join(tmpdir(), 'wfe-events-sink-'));
    env = {
      WFE_STACK: 'wfe-prod',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url,
      AWS_ENDPOINT_URL_SECRETSMANAGER: aws.url,
    };
  });
  afterAll(async () => {
    await aws?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the deployed sink's URL with the token from its secret, and the kubectl command", async () => {
    const url = `${SINK}Zq7xK2mP9wR4tY6uI8oA1sD3fG5hJ0lC`;
    expect(await wfe(['events-sink'], { cwd: dir, env })).toEqual({
      code: 0,
      out: `${url}\n${patchFor(url)}\n`,
      err: '',
    });
  });

  it('says in one line, without a token, when the secret cannot be read', async () => {
    const saved = aws.stack.outputs[StackOutput.EventsTokenSecretArn];
    aws.stack.outputs[StackOutput.EventsTokenSecretArn] = `${TOKEN_ARN}-gone`;
    try {
      const result = await wfe(['events-sink'], { cwd: dir, env });
      expect(result.code).toBe(1);
      expect(result.out).toBe('');
      expect(result.err).toMatch(
        /^wfe events-sink: could not read the events sink's token \(arn:aws:secretsmanager:.*-gone\): Secrets Manager can't find the specified secret\.\n$/,
      );
    } finally {
      aws.stack.outputs[StackOutput.EventsTokenSecretArn] = saved ?? '';
    }
  });

  it('names the missing output of a stack that has no sink', async () => {
    const saved = aws.stack.outputs[StackOutput.EventsSinkUrl];
    delete aws.stack.outputs[StackOutput.EventsSinkUrl];
    try {
      expect(await wfe(['events-sink'], { cwd: dir, env })).toMatchObject({
        code: 1,
        err: 'wfe events-sink: stack wfe-prod has no output EventsSinkUrl: is it a wfe stack, deployed from infra/?\n',
      });
    } finally {
      aws.stack.outputs[StackOutput.EventsSinkUrl] = saved ?? '';
    }
  });

  it("prints the local sink's URL while wfe dev runs in the checkout", async () => {
    const checkout = await mkdtemp(join(tmpdir(), 'wfe-events-sink-local-'));
    await mkdir(join(checkout, '.wfe'));
    const local = 'http://127.0.0.1:41999/tekton/local';
    await writeFile(
      join(checkout, '.wfe', 'dev.json'),
      JSON.stringify({
        version: 1,
        pid: process.pid,
        region: 'us-east-1',
        dynamodb: { endpoint: 'http://127.0.0.1:1', tableName: 't' },
        sqs: { endpoint: 'http://127.0.0.1:1', queueUrl: 'q', dlqUrl: 'd', auditDlqUrl: 'a' },
        cluster: { kubeconfig: 'k', namespace: 'kubernaut-workflows', clusterName: 'default' },
        dataStorage: { url: 'http://127.0.0.1:1' },
        events: { sinkUrl: local },
      }),
    );
    try {
      expect(await wfe(['events-sink'], { cwd: checkout })).toEqual({
        code: 0,
        out: `${local}\n${patchFor(local)}\n`,
        err: '',
      });
    } finally {
      await rm(checkout, { recursive: true, force: true });
    }
  });

  it('has --help and refuses arguments', async () => {
    expect((await wfe(['events-sink', '--help'], { cwd: dir })).out).toMatch(/^Usage: wfe events-sink/);
    expect(await wfe(['events-sink', 'extra'], { cwd: dir, env })).toMatchObject({ code: 2 });
  });
});
