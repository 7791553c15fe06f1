import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackOutput } from '../../infra/outputs.js';
import { eventually } from '../local/aws/eventually.js';
import { startFakeAws } from './fake-aws.js';
import { manifestFile } from './fixtures.js';
import { type CliSystem, startCliSystem, wfe } from './harness.js';

const CALLER = 'arn:aws:iam::123456789012:user/alice';

describe('wfe against AWS (stack outputs, default credential chain)', () => {
  let cli: CliSystem;
  let aws: Awaited<ReturnType<typeof startFakeAws>>;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    cli = await startCliSystem({ COOLDOWN_PERIOD: '10m' });
    const e = cli.system.endpoints;
    aws = await startFakeAws(
      {
        name: 'wfe-prod',
        outputs: {
          [StackOutput.TableName]: e.dynamodb.tableName,
          [StackOutput.QueueUrl]: e.sqs.queueUrl,
          [StackOutput.DlqUrl]: e.sqs.dlqUrl,
          [StackOutput.AuditDlqUrl]: e.sqs.auditDlqUrl,
          [StackOutput.ExecutionNamespace]: e.cluster.namespace,
          [StackOutput.ClusterName]: e.cluster.clusterName,
          [StackOutput.DataStorageUrl]: e.dataStorage.url,
        },
      },
      CALLER,
    );
    // A directory where no `wfe dev` runs: commands go to "AWS".
    dir = await mkdtemp(join(tmpdir(), 'wfe-aws-'));
    env = {
      WFE_STACK: 'wfe-prod',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url,
      AWS_ENDPOINT_URL_STS: aws.url,
      AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: e.sqs.endpoint,
      KUBECONFIG: e.cluster.kubeconfig,
      // The operator's shell names other settings: the stack's outputs must win.
      EXECUTION_NAMESPACE: 'not-the-stacks-namespace',
      CLUSTER_NAME: 'not-the-stacks-cluster',
      DATASTORAGE_URL: 'http://127.0.0.1:1',
    };
  });
  afterAll(async () => {
    await aws?.close();
    await cli?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[], extra: Record<string, string> = {}) =>
    wfe(args, { cwd: dir, env: { ...env, ...extra } });

  it('submits, gets and lists through the stack outputs', async () => {
    const file = await manifestFile(dir, 'aws.yaml', [
      { name: 'we-aws', namespace: 'prod', target: 'prod/Deployment/web' },
    ]);
    expect(await run(['submit', '-f', file])).toMatchObject({
      code: 0,
      out: `${cli.system.endpoints.cluster.clusterName}/prod/we-aws created\n`,
    });
    // The first execution of a fresh local system: slow on a machine loaded by parallel suites.
    await eventually(
      async () => expect((await run(['get', 'prod/we-aws'])).out).toMatch(/Completed/),
      30_000,
    );
    expect((await run(['list', '-n', 'prod'])).out).toMatch(/prod\s+we-aws\s+Completed/);
    // Without -n, the namespace is the stack's ExecutionNamespace output, not the shell's.
    expect(await run(['list'])).toMatchObject({
      code: 0,
      out: '',
      err: `No executions found in namespace ${cli.system.endpoints.cluster.namespace}.\n`,
    });
    expect((await run(['get', 'prod/nope'])).err).toBe(
      `wfe get: workflowexecution ${cli.system.endpoints.cluster.clusterName}/prod/nope not found in the AWS stack wfe-prod\n`,
    );
  }, 60_000);

  it("shows the audit trail from the stack's DataStorageUrl, and one line when it cannot be reached", async () => {
    await eventually(
      async () => expect((await run(['audit', 'show', 'prod/we-aws'])).out).toMatch(/workflow\.completed/),
      15_000,
    );
    aws.stack.outputs[StackOutput.DataStorageUrl] = 'http://127.0.0.1:9';
    try {
      expect(await run(['audit', 'show', 'prod/we-aws'])).toEqual({
        code: 1,
        out: '',
        err: 'wfe audit show: DataStorage at http://127.0.0.1:9 could not be queried: fetch failed\n',
      });
    } finally {
      aws.stack.outputs[StackOutput.DataStorageUrl] = cli.system.endpoints.dataStorage.url;
    }
  });

  it("refuses to release a lock of a cluster other than the stack's", async () => {
    await eventually(async () => expect((await run(['locks'])).out).toMatch(/cooling/), 10_000);
    const reason = 'releasing so the on-call engineer can retry the remediation during this incident';
    aws.stack.outputs[StackOutput.ClusterName] = 'prod-us';
    try {
      // The stack's clusters are where a lock is looked for; --cluster names one it does not serve.
      expect(await run(['release', 'prod/Deployment/web', '--reason', reason])).toEqual({
        code: 1,
        out: '',
        err: 'wfe release: no lock on prod/Deployment/web in the AWS stack wfe-prod\n',
      });
      const lockCluster = cli.system.endpoints.cluster.clusterName;
      const result = await run([
        'release',
        'prod/Deployment/web',
        '--cluster',
        lockCluster,
        '--reason',
        reason,
      ]);
      expect(result).toMatchObject({ code: 1, out: '' });
      expect(result.err).toBe(
        `wfe release: refused: the lock on prod/Deployment/web is in cluster ${lockCluster}, which the AWS stack wfe-prod does not serve (prod-us)\n`,
      );
    } finally {
      aws.stack.outputs[StackOutput.ClusterName] = cli.system.endpoints.cluster.clusterName;
    }
    expect((await run(['locks'])).out).toMatch(/cooling/);
  });

  it("force-releases as the AWS caller identity, deleting the run in the stack's namespace", async () => {
    await eventually(async () => expect((await run(['locks'])).out).toMatch(/cooling/), 10_000);
    const reason = 'releasing so the on-call engineer can retry the remediation during this incident';
    const result = await run(['release', 'prod/Deployment/web', '--reason', reason]);
    expect(result.err).toBe('');
    expect(result.out).toContain('its PipelineRun was deleted');
    expect(result.out).toMatch(new RegExp(`by ${CALLER}\\n$`));
    await eventually(async () => {
      const url = new URL('/api/v1/audit/events?correlation_id=we-aws', cli.system.dataStorage?.url);
      const events = (
        (await (await fetch(url)).json()) as { data: { event_type: string; actor_id: string }[] }
      ).data;
      expect(events.find((e) => e.event_type === 'workflow.lock_force_released')?.actor_id).toBe(CALLER);
    }, 10_000);
  });

  it("redrives the audit DLQ to the stack's DataStorageUrl", async () => {
    expect(await run(['audit', 'redrive'])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^delivered 0, failed 0/),
    });
  });

  it('goes to the named stack even where a local system runs', async () => {
    const named = await wfe(['list', '--stack', 'wfe-missing'], { cwd: cli.dir, env });
    expect(named.code).toBe(1);
    expect(named.err).toMatch(
      /^wfe list: the AWS stack "wfe-missing" \(named by --stack\) could not be read/,
    );
    const local = await wfe(['list'], { cwd: cli.dir, env: { ...env, WFE_STACK: '' } });
    expect(local.code).toBe(0);
  });

  it('fails with one line for a stack that does not exist, naming it', async () => {
    const result = await run(['list', '--stack', 'wfe-missing']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^wfe list: the AWS stack "wfe-missing" \(named by --stack\) could not be read \(Stack with id wfe-missing does not exist\)\n$/,
    );
    const viaEnv = await run(['list'], { WFE_STACK: 'wfe-gone' });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.err).toBe(
      'wfe list: the AWS stack "wfe-gone" (named by WFE_STACK) could not be read (Stack with id wfe-gone does not exist)\n',
    );
  });
});
