/**
 * The deployed system, found by its CloudFormation stack's outputs (the keys infra/outputs.ts
 * defines for this purpose).
 */
import { StackOutput } from '../../infra/outputs.js';
import type { AwsClientConfig } from './client-config.js';

export const DEFAULT_STACK_NAME = 'wfe';

export type StackOutputs = Partial<Record<StackOutput, string>>;

export async function readStackOutputs(config: AwsClientConfig, stackName: string): Promise<StackOutputs> {
  // Loaded here: only commands that go to AWS need the CloudFormation client.
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient(config);
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new Error(`stack ${stackName} was not found`);
    const known = new Set<string>(Object.values(StackOutput));
    const outputs: StackOutputs = {};
    for (const o of stack.Outputs ?? []) {
      if (o.OutputKey && o.OutputValue !== undefined && known.has(o.OutputKey))
        outputs[o.OutputKey as StackOutput] = o.OutputValue;
    }
    return outputs;
  } finally {
    cfn.destroy();
  }
}

/** An output the command needs, or an error naming it. */
export function requireOutput(outputs: StackOutputs, key: StackOutput, stackName: string): string {
  const value = outputs[key];
  if (!value)
    throw new Error(`stack ${stackName} has no output ${key}: is it a wfe stack, deployed from infra/?`);
  return value;
}
