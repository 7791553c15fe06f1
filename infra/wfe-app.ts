/**
 * What the CDK app holds: the settings from context, the one stack, and the cdk-nag AwsSolutions
 * checks, which fail synthesis on any finding not acknowledged (with its reason) in the code.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readContextSettings } from './config.js';
import { WfeStack } from './wfe-stack.js';

export function buildWfeApp(app: App): WfeStack {
  const settings = readContextSettings(app.node.getAllContext());
  const stack = new WfeStack(app, settings.stackName, {
    settings,
    description: 'wfe: Kubernaut WorkflowExecution as serverless functions',
    // Unset offline: the stack is then environment-agnostic and synth needs no account.
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT || undefined,
      region: process.env.CDK_DEFAULT_REGION || undefined,
    },
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return stack;
}
