import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildWfeApp } from '../../infra/wfe-app.js';
import { FLEET_CONTEXT, FULL_CONTEXT, KUBECONFIG_CONTEXT, synth } from './synth.js';

const CONFIGS = [
  ['the default settings', {}],
  ['every setting (EKS, VPC, token, email)', FULL_CONTEXT],
  ['a kubeconfig secret', KUBECONFIG_CONTEXT],
  ['several clusters (WE-16)', FLEET_CONTEXT],
] as const;

/** Acknowledged rules as written to the template (v2's `cdk_nag` metadata format). */
function acknowledgements(template: Template) {
  return Object.entries(
    template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>,
  ).flatMap(([logicalId, resource]) =>
    (
      (resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] })
        ?.rules_to_suppress ?? []
    ).map((rule) => ({ logicalId, ...rule })),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each(CONFIGS)('finds nothing unacknowledged with %s', (_, context) => {
    const s = synth(context); // the app's checks already fail synthesis on any finding
    const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId)}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
    const annotations = Annotations.fromStack(s.stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  describe('in a concrete account and region, as `cdk synth` runs with credentials', () => {
    afterEach(() => vi.unstubAllEnvs());

    it.each(CONFIGS)('finds nothing unacknowledged with %s', (_, context) => {
      vi.stubEnv('CDK_DEFAULT_ACCOUNT', '123456789012');
      vi.stubEnv('CDK_DEFAULT_REGION', 'eu-west-1');
      const s = synth(context);
      expect(s.stack.region).toBe('eu-west-1');
      const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
      expect(Annotations.fromStack(s.stack).findError('*', Match.anyValue())).toEqual([]);
    });
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const stack = buildWfeApp(app);
    new Queue(stack, 'Unencrypted', { enforceSSL: false });
    expect(() => Template.fromStack(stack)).toThrow();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });

  it('acknowledges only the expected rules, each with a specific reason', () => {
    const bare = acknowledgements(synth().template);
    expect(bare.map((a) => a.id).sort()).toEqual([
      'AwsSolutions-L1',
      'AwsSolutions-L1',
      'AwsSolutions-L1',
      'AwsSolutions-L1',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
    const full = acknowledgements(synth(FULL_CONTEXT).template);
    expect([...new Set(full.map((a) => a.id))].sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
    for (const { reason } of [...bare, ...full]) {
      expect(reason.length).toBeGreaterThan(80);
      expect(reason).not.toMatch(/TODO|FIXME|not needed|n\/a/i);
    }
    const on = (acks: typeof bare) => [
      ...new Set(acks.map((a) => `${a.id} on ${a.logicalId.replace(/[0-9A-F]{8}$/, '')}`)),
    ];
    expect(on(bare).sort()).toEqual([
      'AwsSolutions-L1 on FunctionsAuditForwarderFunction',
      'AwsSolutions-L1 on FunctionsEventsFunction',
      'AwsSolutions-L1 on FunctionsEventsSinkFunction',
      'AwsSolutions-L1 on FunctionsExecuteFunction',
      'AwsSolutions-L1 on FunctionsReconcileFunction',
      'AwsSolutions-SMG4 on FunctionsEventsToken',
      'AwsSolutions-SQS3 on QueuesAuditDlq',
    ]);
    for (const ack of full.filter((a) => a.id.startsWith('AwsSolutions-IAM5')))
      expect(ack.logicalId).toMatch(
        /^Functions(Execute|Reconcile|AuditForwarder|Events|EventsSink)RoleDefaultPolicy/,
      );
  });
});
