/**
 * WorkflowExecutionService used from another app, as a platform team would: a stack of its own, its
 * VPC and alarm topic imported, its EKS cluster named, a few settings typed in, and cdk-nag on.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { InfraConfigError } from '../../infra/config.js';
import { StackOutput } from '../../infra/outputs.js';
import {
  WorkflowExecutionService,
  type WorkflowExecutionServiceProps,
} from '../../infra/workflow-execution-service.js';
import { CDK_JSON_CONTEXT, SENDER_ARN } from './synth.js';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:platform-alarms';
const SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'];

function platformApp(props: Partial<WorkflowExecutionServiceProps> = {}) {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'Platform', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0aaaaaaaaaaaaaaa0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: SUBNETS,
  });
  const service = new WorkflowExecutionService(stack, 'Wfe', {
    cluster: { eksClusterName: 'platform' },
    vpc: {
      vpc,
      subnets: vpc.privateSubnets,
      securityGroup: SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0aaaaaaaaaaaaaaa0', {
        mutable: false,
      }),
    },
    alarmTopic: Topic.fromTopicArn(stack, 'Alarms', TOPIC_ARN),
    settings: {
      cooldownPeriod: '10m',
      dataStorageUrl: 'https://datastorage.platform.example.com',
      allowedBundlePrefixes: ['ghcr.io/platform/'],
      requestSenders: [SENDER_ARN],
    },
    ...props,
  });
  return { app, stack, service };
}

describe('WorkflowExecutionService in another app', () => {
  const { app, stack, service } = platformApp();
  const template = Template.fromStack(stack);

  it('runs every function in the given subnets and security group', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(5);
    for (const fn of Object.values(functions))
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: SUBNETS,
        SecurityGroupIds: ['sg-0aaaaaaaaaaaaaaa0'],
      });
  });

  it('sends every alarm to the given topic and creates no topic or key of its own', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([TOPIC_ARN]);
      expect(alarm.Properties.AlarmName).toMatch(/^Platform /);
    }
    expect(service.alarmTopic.topicArn).toBe(TOPIC_ARN);
  });

  it('reaches the named EKS cluster and applies the typed settings', () => {
    template.resourceCountIs('AWS::EKS::AccessEntry', 3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Platform-execute',
      Environment: {
        Variables: Match.objectLike({
          EKS_CLUSTER_NAME: 'platform',
          CLUSTER_NAME: 'platform',
          COOLDOWN_PERIOD: '10m',
          ALLOWED_BUNDLE_PREFIXES: 'ghcr.io/platform/',
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Platform-audit-forwarder',
      Environment: {
        Variables: Match.objectLike({ DATASTORAGE_URL: 'https://datastorage.platform.example.com' }),
      },
    });
  });

  it('exposes what a user wires: the request queue, the table, the sink URL, the functions, the dashboard', () => {
    const resolve = (value: unknown) => stack.resolve(value);
    expect(resolve(service.requestQueue.queueUrl)).toEqual({
      Ref: expect.stringMatching(/^WfeQueuesRequests/),
    });
    expect(resolve(service.table.tableName)).toEqual({ Ref: expect.stringMatching(/^WfeState/) });
    expect(JSON.stringify(resolve(service.eventsSinkUrl))).toContain('FunctionUrl');
    expect(service.functions.all).toHaveLength(5);
    template.hasOutput(StackOutput.QueueUrl, { Value: resolve(service.requestQueue.queueUrl) });
    expect(resolve(service.dashboard.dashboard.dashboardName)).toEqual({
      Ref: expect.stringMatching(/^WfeDashboard/),
    });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Platform' });
  });

  it('passes the cdk-nag AwsSolutions checks', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId)}`),
    ).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('rejects an invalid setting, naming it', () => {
    expect(() => platformApp({ settings: { maxReceiveCount: 0 } })).toThrow(InfraConfigError);
    expect(() => platformApp({ settings: { maxReceiveCount: 0 } })).toThrow(
      /maxReceiveCount: must be at least 1/,
    );
  });

  it('reads a kubeconfig from the given secret instead, with no access entry', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/kubeconfig-AbCdEf';
    const kube = Template.fromStack(
      platformApp({ cluster: { kubeconfigSecretArn: arn, clusterName: 'on-prem-1' } }).stack,
    );
    kube.resourceCountIs('AWS::EKS::AccessEntry', 0);
    kube.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Platform-reconcile',
      Environment: {
        Variables: Match.objectLike({
          CLUSTER_AUTH: 'kubeconfig',
          KUBECONFIG_SECRET_ARN: arn,
          CLUSTER_NAME: 'on-prem-1',
        }),
      },
    });
  });

  it('WE-16: serves the typed fleet of clusters instead, each with its token and access entries', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/kubeconfig-AbCdEf';
    const {
      app: fleetApp,
      stack: fleetStack,
      service: fleetService,
    } = platformApp({
      cluster: undefined,
      fleet: {
        clusters: [
          { name: 'eu', eksClusterName: 'platform-eu' },
          { name: 'on-prem', kubeconfigSecretArn: arn, namespace: 'remediation' },
        ],
        defaultCluster: 'on-prem',
        kubernetesGroup: 'platform-wfe',
      },
    });
    const fleet = Template.fromStack(fleetStack);
    fleet.resourceCountIs('AWS::EKS::AccessEntry', 3);
    fleet.resourcePropertiesCountIs(
      'AWS::EKS::AccessEntry',
      { ClusterName: 'platform-eu', KubernetesGroups: ['platform-wfe'] },
      3,
    );
    fleet.resourceCountIs('AWS::SecretsManager::Secret', 2);
    expect([...fleetService.functions.eventsTokens.keys()]).toEqual(['eu', 'on-prem']);
    fleet.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Platform-execute',
      Environment: {
        Variables: Match.objectLike({ DEFAULT_CLUSTER: 'on-prem', CLUSTERS: Match.anyValue() }),
      },
    });
    fleet.hasOutput(StackOutput.ClusterName, { Value: 'on-prem' });
    expect(new AwsSolutionsChecks(fleetApp).validateScope(fleetApp).violations).toEqual([]);
    expect(() =>
      platformApp({ cluster: undefined, fleet: { clusters: [{ name: 'EU', eksClusterName: 'x' }] } }),
    ).toThrow(/clusters\[0\]\.name: must be a DNS label/);
  });

  it('warns, on the construct, when no cluster is given', () => {
    const bare = platformApp({ cluster: undefined });
    Annotations.fromStack(bare.stack).hasWarning(
      '/Platform/Wfe',
      Match.stringLikeRegexp('eksClusterName is not set'),
    );
  });
});
