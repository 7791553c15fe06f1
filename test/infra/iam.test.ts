import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import type { LambdaFunction } from '../../infra/lambda-function.js';
import {
  FLEET_CONTEXT,
  FULL_CONTEXT,
  KUBECONFIG_CONTEXT,
  SECRET_ARN,
  type Synthesized,
  synth,
} from './synth.js';

interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown[];
}

/** Every statement a function's role is granted, with Action and Resource as lists. */
function grantsOf(s: Synthesized, fn: LambdaFunction): Statement[] {
  const roleId = s.stack.getLogicalId(fn.role.node.defaultChild as CfnRole);
  const role = s.template.toJSON().Resources[roleId];
  expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
  expect(role.Properties.Policies ?? []).toEqual([]);
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
    { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
  ]);
  const policies = Object.values(s.template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`),
  );
  return policies.flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map((st) => ({
      Effect: st.Effect as string,
      Action: [st.Action].flat() as string[],
      Resource: [st.Resource].flat(),
    })),
  );
}

/** The resources each action is granted on. */
function byAction(statements: Statement[]): Map<string, unknown[]> {
  const map = new Map<string, unknown[]>();
  for (const st of statements) {
    expect(st.Effect).toBe('Allow');
    for (const action of st.Action) map.set(action, [...(map.get(action) ?? []), ...st.Resource]);
  }
  return map;
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('least privilege', () => {
  const bare = synth();
  const full = synth(FULL_CONTEXT);
  const kube = synth(KUBECONFIG_CONTEXT);
  const fleet = synth(FLEET_CONTEXT);

  it('grants execute item reads and writes on the table, queries on the due index only, and its queues', () => {
    const { stack, resolve } = bare;
    const grants = byAction(grantsOf(bare, stack.service.functions.execute));
    expect(sorted(grants.keys())).toEqual(
      sorted([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'sqs:ReceiveMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ]),
    );
    const table = resolve(stack.service.state.table.tableArn);
    for (const action of ['GetItem', 'PutItem', 'DeleteItem'])
      expect(grants.get(`dynamodb:${action}`)).toEqual([table]);
    expect(grants.get('dynamodb:Query')).toEqual([resolve(stack.service.state.dueIndexArn)]);
    expect(grants.get('sqs:ReceiveMessage')).toEqual([resolve(stack.service.queues.requests.queueArn)]);
    // A set: the minimizePolicies feature flag merges statements and orders their resources its own way.
    expect(new Set(grants.get('sqs:SendMessage'))).toEqual(
      new Set([
        resolve(stack.service.queues.requests.queueArn),
        resolve(stack.service.queues.requestsDlq.queueArn),
        resolve(stack.service.queues.timers.queueArn),
      ]),
    );
  });

  it('grants reconcile the same table access, sending lock timers and shards, and reading the sweep queue', () => {
    const { stack, resolve } = bare;
    const grants = byAction(grantsOf(bare, stack.service.functions.reconcile));
    expect(sorted(grants.keys())).toEqual(
      sorted([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'sqs:SendMessage',
        'sqs:ReceiveMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueUrl',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
      ]),
    );
    expect(grants.get('dynamodb:Query')).toEqual([resolve(stack.service.state.dueIndexArn)]);
    const senders = grants.get('sqs:SendMessage') ?? [];
    expect(senders).toHaveLength(2);
    expect(senders).toEqual(
      expect.arrayContaining([
        resolve(stack.service.queues.timers.queueArn),
        resolve(stack.service.sweep.queue.queueArn),
      ]),
    );
    expect(grants.get('sqs:ReceiveMessage')).toEqual([resolve(stack.service.sweep.queue.queueArn)]);
  });

  it('grants the forwarder the table stream and the audit DLQ, and no table items', () => {
    const { stack, resolve } = bare;
    const grants = byAction(grantsOf(bare, stack.service.functions.auditForwarder));
    expect(sorted(grants.keys())).toEqual(
      sorted([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'sqs:SendMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ]),
    );
    const stream = resolve(stack.service.state.table.tableStreamArn);
    for (const action of ['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'])
      expect(grants.get(`dynamodb:${action}`)).toEqual([stream]);
    for (const resource of grants.get('sqs:SendMessage') ?? [])
      expect(resource).toEqual(resolve(stack.service.queues.auditDlq.queueArn));
  });

  it('scopes cluster access to the one EKS cluster, for execute and reconcile only', () => {
    const { stack } = full;
    const clusterArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':eks:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':cluster/prod-eu',
        ],
      ],
    };
    for (const fn of [stack.service.functions.execute, stack.service.functions.reconcile])
      expect(byAction(grantsOf(full, fn)).get('eks:DescribeCluster')).toEqual([clusterArn]);
    expect(byAction(grantsOf(full, stack.service.functions.auditForwarder)).has('eks:DescribeCluster')).toBe(
      false,
    );
  });

  it('lets only the forwarder read the DataStorage token, and only that secret', () => {
    const { stack } = full;
    expect(
      byAction(grantsOf(full, stack.service.functions.auditForwarder)).get('secretsmanager:GetSecretValue'),
    ).toEqual([SECRET_ARN.token]);
    for (const fn of [stack.service.functions.execute, stack.service.functions.reconcile])
      expect(byAction(grantsOf(full, fn)).has('secretsmanager:GetSecretValue')).toBe(false);
    expect(
      byAction(grantsOf(bare, bare.stack.service.functions.auditForwarder)).has(
        'secretsmanager:GetSecretValue',
      ),
    ).toBe(false);
  });

  it('lets execute and reconcile read only the kubeconfig secret in kubeconfig mode', () => {
    const { stack } = kube;
    for (const fn of [stack.service.functions.execute, stack.service.functions.reconcile]) {
      const grants = byAction(grantsOf(kube, fn));
      expect(grants.get('secretsmanager:GetSecretValue')).toEqual([SECRET_ARN.kubeconfig]);
      expect(grants.has('eks:DescribeCluster')).toBe(false);
    }
  });

  it('WE-16: scopes cluster access to exactly the listed clusters and kubeconfig secrets, the tokens to the sink', () => {
    const { execute, reconcile, events, eventsSink, auditForwarder, eventsTokens } =
      fleet.stack.service.functions;
    const clusterArn = (name: string) =>
      fleet.resolve(fleet.stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name }));
    for (const fn of [execute, reconcile, events]) {
      const grants = byAction(grantsOf(fleet, fn));
      expect(new Set(grants.get('eks:DescribeCluster'))).toEqual(
        new Set([clusterArn('prod-east'), clusterArn('prod-west')]),
      );
      expect(grants.get('eks:DescribeCluster')).toHaveLength(2);
      expect(grants.get('secretsmanager:GetSecretValue')).toEqual([SECRET_ARN.kubeconfig]);
    }
    const sink = byAction(grantsOf(fleet, eventsSink));
    expect(new Set(sink.get('secretsmanager:GetSecretValue'))).toEqual(
      new Set([...eventsTokens.values()].map((secret) => fleet.resolve(secret.secretArn))),
    );
    expect(sink.get('secretsmanager:GetSecretValue')).toHaveLength(3);
    expect(sink.has('eks:DescribeCluster')).toBe(false);
    const forwarder = byAction(grantsOf(fleet, auditForwarder));
    expect(forwarder.has('eks:DescribeCluster') || forwarder.has('secretsmanager:GetSecretValue')).toBe(
      false,
    );
  });

  it('never grants Scan, and never a wildcard resource on DynamoDB, SQS, Secrets Manager, EKS or logs', () => {
    for (const s of [bare, full, kube, fleet]) {
      for (const fn of s.stack.service.functions.all) {
        for (const st of grantsOf(s, fn)) {
          expect(st.Action).not.toContain('dynamodb:Scan');
          expect(st.Action.filter((a) => a.includes('*'))).toEqual([]);
          const scoped = st.Action.some((a) => /^(dynamodb|sqs|secretsmanager|eks|logs):/.test(a));
          if (scoped) for (const r of st.Resource) expect(JSON.stringify(r)).not.toContain('*');
        }
      }
    }
  });

  it('allows a wildcard resource only where EC2 requires it: VPC network interfaces', () => {
    for (const s of [bare, full, kube, fleet]) {
      for (const fn of s.stack.service.functions.all) {
        for (const st of grantsOf(s, fn).filter((g) => JSON.stringify(g.Resource).includes('*'))) {
          expect(s).toBe(full);
          expect(st.Action.every((a) => a.startsWith('ec2:'))).toBe(true);
        }
      }
    }
    const vpcGrants = byAction(grantsOf(full, full.stack.service.functions.execute));
    expect(vpcGrants.get('ec2:DescribeNetworkInterfaces')).toEqual(['*']);
    expect(JSON.stringify(vpcGrants.get('ec2:CreateNetworkInterface'))).toContain(
      'subnet/subnet-0123456789abcdef0',
    );
    expect(JSON.stringify(vpcGrants.get('ec2:CreateNetworkInterface'))).toContain(
      'security-group/sg-0123456789abcdef0',
    );
  });
});
