import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, TABLE } from '../../functions/adapters/dynamodb/table.js';
import {
  eventsConfig,
  executeConfig,
  forwarderConfig,
  reconcileConfig,
} from '../../functions/platform/config.js';
import { StackOutput } from '../../infra/outputs.js';
import {
  FLEET_CONTEXT,
  FULL_CONTEXT,
  KUBECONFIG_CONTEXT,
  SECRET_ARN,
  SENDER_ARN,
  type Synthesized,
  synth,
} from './synth.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

const one = (s: Synthesized, type: string, props: Record<string, unknown> = {}): [string, Resource] => {
  const found = Object.entries(s.template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(found, `${type} ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0] as [string, Resource];
};
const fnEnv = (s: Synthesized, name: string) =>
  (
    one(s, 'AWS::Lambda::Function', { FunctionName: `wfe-${name}` })[1].Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

describe('WfeStack with the default settings', () => {
  let s: Synthesized;
  let ref: (value: unknown) => unknown;
  beforeAll(() => {
    s = synth();
    ref = s.resolve;
  });

  it('builds the request queue with its DLQ: redrive after 5 receives, SSE-SQS, SSL only', () => {
    const { requests, requestsDlq, auditDlq } = s.stack.service.queues;
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: Match.absent(),
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: ref(requestsDlq.queueArn), maxReceiveCount: 5 },
    });
    for (const queue of [requests, requestsDlq, auditDlq]) {
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(queue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    s.template.resourcePropertiesCountIs('AWS::SQS::Queue', { SqsManagedSseEnabled: true }, 8);
    s.template.resourcePropertiesCountIs('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 }, 3);
  });

  it('sets the request visibility timeout to at least 6 × the execute timeout', () => {
    const [, queue] = one(s, 'AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({
        deadLetterTargetArn: ref(s.stack.service.queues.requestsDlq.queueArn),
      }),
    });
    const [, execute] = one(s, 'AWS::Lambda::Function', { FunctionName: 'wfe-execute' });
    expect(queue.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      6 * (execute.Properties.Timeout as number),
    );
  });

  it('builds the state table from the one definition in table.ts', () => {
    const definition = createTableInput('x');
    const [, table] = one(s, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: definition.KeySchema,
      AttributeDefinitions: expect.arrayContaining(definition.AttributeDefinitions ?? []),
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'dueByShard',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['namespace', 'name', 'runName', 'runSummary'],
          },
        },
        ...Object.values(TABLE.listIndexes).map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: 'listOrder', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        })),
      ],
      Replicas: [
        {
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        },
      ],
    });
    expect(table.Properties.AttributeDefinitions).toHaveLength(definition.AttributeDefinitions?.length ?? 0);
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('deploys five Node.js 22 arm64 functions, each with its own log group kept 30 days', () => {
    for (const name of ['execute', 'reconcile', 'audit-forwarder']) {
      const [, fn] = one(s, 'AWS::Lambda::Function', { FunctionName: `wfe-${name}` });
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: expect.anything() },
      });
    }
    s.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 5);
  });

  it('triggers execute from the request queue in batches, reporting item failures, capped concurrency', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(s.stack.service.functions.execute.fn.functionName),
      EventSourceArn: ref(s.stack.service.queues.requests.queueArn),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('runs reconcile every minute without retrying missed ticks; it fans the shards out to at most 4 workers at once', () => {
    const reconcile = s.stack.service.functions.reconcile.fn;
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'wfe-reconcile',
      ReservedConcurrentExecutions: 5,
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(reconcile.functionName),
      EventSourceArn: ref(s.stack.service.sweep.queue.queueArn),
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: ref(s.stack.service.sweep.dlq.queueArn), maxReceiveCount: 3 },
    });
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({ Arn: ref(reconcile.functionArn), RetryPolicy: { MaximumRetryAttempts: 0 } }),
      ],
    });
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(reconcile.functionName),
      MaximumRetryAttempts: 0,
    });
  });

  it('feeds the forwarder only new audit records, in order, with bounded retries into the audit DLQ', () => {
    const [, mapping] = one(s, 'AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(s.stack.service.functions.auditForwarder.fn.functionName),
    });
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: ref(s.stack.service.state.table.tableStreamArn),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10_000,
      MaximumRecordAgeInSeconds: 6 * 3600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: ref(s.stack.service.queues.auditDlq.queueArn) } },
    });
    const filters = (mapping.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['audit'] } } } },
    ]);
  });

  it('gives each function exactly the SPEC §4 environment', () => {
    const platform = {
      POWERTOOLS_METRICS_NAMESPACE: 'wfe',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const execution = {
      TABLE_NAME: ref(s.stack.service.state.table.tableName),
      EXECUTION_NAMESPACE: 'kubernaut-workflows',
      SERVICE_ACCOUNT_NAME: 'kubernaut-workflow-runner',
      CLUSTER_NAME: 'default',
      COOLDOWN_PERIOD: '5m',
      LOCK_LEASE: '15m',
      CLUSTER_AUTH: 'eks',
    };
    expect(fnEnv(s, 'execute')).toEqual({
      ...platform,
      ...execution,
      POWERTOOLS_SERVICE_NAME: 'execute',
      QUEUE_URL: ref(s.stack.service.queues.requests.queueUrl),
      DLQ_URL: ref(s.stack.service.queues.requestsDlq.queueUrl),
      TIMER_QUEUE_URL: ref(s.stack.service.queues.timers.queueUrl),
    });
    expect(fnEnv(s, 'reconcile')).toEqual({
      ...platform,
      ...execution,
      POWERTOOLS_SERVICE_NAME: 'reconcile',
      TIMER_QUEUE_URL: ref(s.stack.service.queues.timers.queueUrl),
      SWEEP_QUEUE_URL: ref(s.stack.service.sweep.queue.queueUrl),
    });
    expect(fnEnv(s, 'events')).toEqual({
      ...platform,
      ...execution,
      POWERTOOLS_SERVICE_NAME: 'events',
      TIMER_QUEUE_URL: ref(s.stack.service.queues.timers.queueUrl),
    });
    expect(fnEnv(s, 'events-sink')).toEqual({
      ...platform,
      POWERTOOLS_SERVICE_NAME: 'events-sink',
      EVENTS_QUEUE_URL: ref(s.stack.service.queues.events.queueUrl),
      EVENTS_TOKEN_SECRET_ARN: ref(s.stack.service.functions.eventsToken.secretArn),
    });
    expect(fnEnv(s, 'audit-forwarder')).toEqual({
      ...platform,
      POWERTOOLS_SERVICE_NAME: 'audit-forwarder',
      DATASTORAGE_URL: 'https://datastorage.invalid',
      AUDIT_DLQ_URL: ref(s.stack.service.queues.auditDlq.queueUrl),
      AUDIT_BATCH_SIZE: '100',
      AUDIT_REQUEST_TIMEOUT: '10s',
      AUDIT_GIVE_UP_AFTER: '30m',
    });
  });

  it('warns at synth that the cluster, DataStorage, the bundle allow-list and the senders are not configured', () => {
    const annotations = Annotations.fromStack(s.stack);
    annotations.hasWarning('/wfe/Default', Match.stringLikeRegexp('eksClusterName is not set'));
    annotations.hasWarning('/wfe/Default', Match.stringLikeRegexp('dataStorageUrl is not set'));
    annotations.hasWarning('/wfe/Default', Match.stringLikeRegexp('allowedBundlePrefixes is not set'));
    annotations.hasWarning('/wfe/Default', Match.stringLikeRegexp('requestSenders is not set'));
  });

  it('leaves who may send requests to IAM when no senders are named', () => {
    const policy = one(s, 'AWS::SQS::QueuePolicy', {
      Queues: [ref(s.stack.service.queues.requests.queueUrl)],
    })[1];
    const statements = (policy.Properties.PolicyDocument as { Statement: { Sid?: string }[] }).Statement;
    expect(statements.map((st) => st.Sid).filter(Boolean)).toEqual([]);
  });

  it('creates no cluster access entry without a cluster name', () => {
    s.template.resourceCountIs('AWS::EKS::AccessEntry', 0);
  });

  it('publishes the outputs the wfe CLI reads', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, unknown>;
    const optional: string[] = [StackOutput.DataStorageTokenSecretArn, StackOutput.EventsTokenSecrets];
    expect(Object.keys(outputs).sort()).toEqual(
      Object.values(StackOutput)
        .filter((key) => !optional.includes(key))
        .sort(),
    );
    s.template.hasOutput(StackOutput.ClusterName, { Value: 'default' });
    s.template.hasOutput(StackOutput.ExecutionNamespace, { Value: 'kubernaut-workflows' });
    s.template.hasOutput(StackOutput.QueueUrl, { Value: ref(s.stack.service.queues.requests.queueUrl) });
    s.template.hasOutput(StackOutput.TableName, { Value: ref(s.stack.service.state.table.tableName) });
    s.template.hasOutput(StackOutput.DashboardName, {
      Value: ref(s.stack.service.dashboard.dashboard.dashboardName),
    });
  });
});

describe('WfeStack with every setting given', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth({
      ...FULL_CONTEXT,
      stackName: 'wfe-prod',
      maxReceiveCount: '8',
      batchSize: '50',
      maxBatchingWindow: '5s',
      maxConcurrency: '20',
      cooldownPeriod: '30s',
      lockLease: '20m',
      executionNamespace: 'remediation',
      serviceAccountName: 'runner',
      auditBatchSize: '500',
      auditRetryAttempts: '10',
      auditMaxRecordAge: '1h',
      auditGiveUpAfter: '20m',
      logRetentionDays: '90',
      logLevel: 'DEBUG',
      deletionProtection: 'false',
    });
  });

  it('applies the queue and event source settings', () => {
    const [, queue] = one(s, 'AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({
        deadLetterTargetArn: s.resolve(s.stack.service.queues.requestsDlq.queueArn),
        maxReceiveCount: 8,
      }),
    });
    expect(queue.Properties.VisibilityTimeout).toBe(6 * 30 + 5);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
    });
  });

  it('names everything after the stack and lets the table go when protection is off', () => {
    one(s, 'AWS::Lambda::Function', { FunctionName: 'wfe-prod-execute' });
    one(s, 'AWS::CloudWatch::Dashboard', { DashboardName: 'wfe-prod' });
    const [, table] = one(s, 'AWS::DynamoDB::GlobalTable');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.Replicas).toMatchObject([{ DeletionProtectionEnabled: false }]);
    s.template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 5);
  });

  it('WE-15: admits requests only from the named senders and the execute role, over TLS', () => {
    const policy = one(s, 'AWS::SQS::QueuePolicy', {
      Queues: [s.resolve(s.stack.service.queues.requests.queueUrl)],
    })[1];
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Sid: 'NamedSenders',
          Effect: 'Allow',
          Principal: { AWS: SENDER_ARN },
          // In any order: the minimizePolicies feature flag sorts a statement's actions.
          Action: expect.toSatisfy(
            (actions: string[]) =>
              [...actions].sort().join() === 'sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage',
          ),
        }),
        {
          Sid: 'OnlyNamedSenders',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'sqs:SendMessage',
          Resource: s.resolve(s.stack.service.queues.requests.queueArn),
          Condition: {
            ArnNotEquals: {
              'aws:PrincipalArn': [SENDER_ARN, s.resolve(s.stack.service.functions.execute.role.roleArn)],
            },
          },
        },
      ]),
    );
  });

  it('WE-15: gives execute the allow-lists', () => {
    expect(fnEnv(s, 'prod-execute')).toMatchObject({
      ALLOWED_SERVICE_ACCOUNTS: 'kubernaut-workflow-runner,runner',
      ALLOWED_BUNDLE_PREFIXES: 'ghcr.io/kubernaut/,registry.example.com/workflows/',
    });
    expect(fnEnv(s, 'prod-reconcile').ALLOWED_SERVICE_ACCOUNTS).toBeUndefined();
  });

  it('passes the settings and the EKS cluster to the functions, and only secret ARNs, never secrets', () => {
    const env = (name: string) => fnEnv(s, `prod-${name}`);
    for (const name of ['execute', 'reconcile']) {
      expect(env(name)).toMatchObject({
        CLUSTER_AUTH: 'eks',
        EKS_CLUSTER_NAME: 'prod-eu',
        CLUSTER_NAME: 'prod-eu',
        EXECUTION_NAMESPACE: 'remediation',
        SERVICE_ACCOUNT_NAME: 'runner',
        COOLDOWN_PERIOD: '30s',
        LOCK_LEASE: '20m',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
    }
    expect(env('audit-forwarder')).toMatchObject({
      DATASTORAGE_URL: 'https://datastorage.example.com',
      DATASTORAGE_TOKEN_SECRET_ARN: SECRET_ARN.token,
      AUDIT_BATCH_SIZE: '500',
    });
    for (const name of ['execute', 'reconcile', 'audit-forwarder']) {
      const keys = Object.keys(env(name));
      expect(
        keys.filter((k) => /TOKEN|SECRET|PASSWORD|KUBECONFIG/.test(k) && !k.endsWith('_SECRET_ARN')),
      ).toEqual([]);
    }
  });

  it('places every function in the given subnets and security group', () => {
    s.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        VpcConfig: {
          SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
          SecurityGroupIds: ['sg-0123456789abcdef0'],
        },
      },
      5,
    );
  });

  it('maps the execute, reconcile and events roles to the Kubernetes group with EKS access entries', () => {
    const { execute, reconcile, events } = s.stack.service.functions;
    for (const fn of [execute, reconcile, events]) {
      s.template.hasResourceProperties('AWS::EKS::AccessEntry', {
        ClusterName: 'prod-eu',
        PrincipalArn: s.resolve(fn.role.roleArn),
        KubernetesGroups: ['wfe-executors'],
        Type: 'STANDARD',
      });
    }
    s.template.resourceCountIs('AWS::EKS::AccessEntry', 3);
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('is not set'))).toEqual([]);
  });

  it('publishes the cluster name and DataStorage settings the CLI needs, the token only as its ARN', () => {
    s.template.hasOutput(StackOutput.ClusterName, { Value: 'prod-eu' });
    s.template.hasOutput(StackOutput.ExecutionNamespace, { Value: 'remediation' });
    s.template.hasOutput(StackOutput.DataStorageUrl, { Value: 'https://datastorage.example.com' });
    s.template.hasOutput(StackOutput.DataStorageTokenSecretArn, { Value: SECRET_ARN.token });
  });

  it('skips the access entries when told the cluster is managed elsewhere', () => {
    const other = synth({ ...FULL_CONTEXT, createAccessEntry: 'false' });
    other.template.resourceCountIs('AWS::EKS::AccessEntry', 0);
  });
});

describe('WfeStack with a kubeconfig in Secrets Manager', () => {
  it('passes the secret ARN, not the kubeconfig, and creates no access entry', () => {
    const s = synth(KUBECONFIG_CONTEXT);
    for (const name of ['execute', 'reconcile']) {
      expect(fnEnv(s, name)).toMatchObject({
        CLUSTER_AUTH: 'kubeconfig',
        KUBECONFIG_SECRET_ARN: SECRET_ARN.kubeconfig,
        CLUSTER_NAME: 'on-prem-1',
      });
      expect(fnEnv(s, name)).not.toHaveProperty('EKS_CLUSTER_NAME');
    }
    s.template.resourceCountIs('AWS::EKS::AccessEntry', 0);
  });
});

describe('the synthesized environment', () => {
  // Tokens stand in for values CloudFormation fills in at deploy time.
  const deployed = (env: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        typeof v === 'string'
          ? v
          : k.endsWith('_URL')
            ? 'https://sqs.eu-west-1.amazonaws.com/123456789012/q'
            : 'wfe-table',
      ]),
    );

  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/q';
  const execution = {
    serviceAccountName: 'kubernaut-workflow-runner',
    cooldownMs: 5 * 60_000,
    leaseMs: 15 * 60_000,
  };
  const NS = 'kubernaut-workflows';
  it.each([
    [
      'EKS',
      FULL_CONTEXT,
      [{ name: 'prod-eu', namespace: NS, access: { mode: 'eks', clusterName: 'prod-eu' } }],
      SECRET_ARN.token,
      {
        allowedServiceAccounts: ['kubernaut-workflow-runner', 'runner'],
        allowedBundlePrefixes: ['ghcr.io/kubernaut/', 'registry.example.com/workflows/'],
      },
    ],
    [
      'kubeconfig',
      KUBECONFIG_CONTEXT,
      [
        {
          name: 'on-prem-1',
          namespace: NS,
          access: { mode: 'kubeconfig', secretArn: SECRET_ARN.kubeconfig },
        },
      ],
      undefined,
      {},
    ],
    [
      'WE-16 several clusters',
      FLEET_CONTEXT,
      [
        { name: 'east', namespace: NS, access: { mode: 'eks', clusterName: 'prod-east' } },
        { name: 'west', namespace: 'remediation', access: { mode: 'eks', clusterName: 'prod-west' } },
        { name: 'lab', namespace: NS, access: { mode: 'kubeconfig', secretArn: SECRET_ARN.kubeconfig } },
      ],
      undefined,
      {},
    ],
  ])(
    'is what the functions’ own configuration parsers expect (%s)',
    (_, context, clusters, tokenArn, guardrails) => {
      const s = synth(context);
      const settings = {
        ...execution,
        clusters: clusters.map(({ name, namespace }) => ({ name, namespace })),
        defaultCluster: clusters[0]?.name,
      };
      expect(executeConfig(deployed(fnEnv(s, 'execute')))).toEqual({
        tableName: 'wfe-table',
        queueUrl,
        dlqUrl: queueUrl,
        timerQueueUrl: queueUrl,
        execution: { ...settings, ...guardrails },
        clusters,
      });
      expect(reconcileConfig(deployed(fnEnv(s, 'reconcile')))).toEqual({
        tableName: 'wfe-table',
        timerQueueUrl: queueUrl,
        sweepQueueUrl: queueUrl,
        execution: settings,
        clusters,
        budget: expect.objectContaining({ pageSize: expect.any(Number) }),
      });
      expect(eventsConfig(deployed(fnEnv(s, 'events')))).toEqual({
        tableName: 'wfe-table',
        timerQueueUrl: queueUrl,
        execution: settings,
        clusters,
      });
      expect(forwarderConfig(deployed(fnEnv(s, 'audit-forwarder')))).toMatchObject({
        dataStorageUrl: 'https://datastorage.example.com',
        tokenSecretArn: tokenArn,
        auditDlqUrl: queueUrl,
        batchSize: 100,
      });
    },
  );
});
