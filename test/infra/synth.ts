/**
 * Synthesizes the wfe app for the infra tests, the way infra/app.ts does (same settings from
 * context, cdk.json's feature flags, same cdk-nag checks), with bundling and CDK's built-in
 * CloudFormation validation off for speed: cdk-synth.test.ts runs the CLI with both on.
 */
import { readFileSync } from 'node:fs';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildWfeApp } from '../../infra/wfe-app.js';
import type { WfeStack } from '../../infra/wfe-stack.js';

/** cdk.json's context: the feature flags the CLI gives the app, so the tests see the deployed template. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export interface Synthesized {
  app: App;
  stack: WfeStack;
  template: Template;
  /** The CloudFormation form of a token, e.g. `{ Ref: … }` or `{ 'Fn::GetAtt': … }`. */
  resolve: (value: unknown) => unknown;
}

export function synth(
  context: Record<string, unknown> = {},
  options: { outdir?: string; bundle?: boolean } = {},
): Synthesized {
  const app = new App({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
    builtinCloudFormationValidation: false,
    outdir: options.outdir,
  });
  const stack = buildWfeApp(app);
  const template = Template.fromStack(stack);
  return { app, stack, template, resolve: (value) => (stack as Stack).resolve(value) };
}

export const SECRET_ARN = {
  token: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wfe/datastorage-token-AbCdEf',
  kubeconfig: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wfe/kubeconfig-Zy12Xw',
};

export const SENDER_ARN = 'arn:aws:iam::123456789012:role/kubernaut-remediation-orchestrator';

/**
 * Every optional setting given: EKS with access entries, DataStorage with a token, VPC, alarm email,
 * the allow-lists and the request senders.
 */
export const FULL_CONTEXT = {
  eksClusterName: 'prod-eu',
  dataStorageUrl: 'https://datastorage.example.com',
  dataStorageTokenSecretArn: SECRET_ARN.token,
  alarmEmail: 'oncall@example.com',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  securityGroupId: 'sg-0123456789abcdef0',
  allowedServiceAccounts: 'kubernaut-workflow-runner,runner',
  allowedBundlePrefixes: 'ghcr.io/kubernaut/,registry.example.com/workflows/',
  requestSenders: SENDER_ARN,
};

export const KUBECONFIG_CONTEXT = {
  clusterAuth: 'kubeconfig',
  kubeconfigSecretArn: SECRET_ARN.kubeconfig,
  clusterName: 'on-prem-1',
  dataStorageUrl: 'https://datastorage.example.com',
};

/** Several clusters, one deployment (WE-16): two EKS clusters and one reached with a kubeconfig. */
export const FLEET = [
  { name: 'east', eksClusterName: 'prod-east' },
  { name: 'west', eksClusterName: 'prod-west', namespace: 'remediation' },
  { name: 'lab', kubeconfigSecretArn: SECRET_ARN.kubeconfig },
];

export const FLEET_CONTEXT = {
  clusters: JSON.stringify(FLEET),
  dataStorageUrl: 'https://datastorage.example.com',
};
