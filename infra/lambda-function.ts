/**
 * One wfe function: a NodejsFunction bundled with the local esbuild (no Docker, nothing
 * downloaded), its own role with inline permissions only, and its own log group.
 */
import { fileURLToPath } from 'node:url';
import { type CfnResource, type Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/platform/powertools.js';
import type { VpcPlacement } from './vpc-placement.js';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The same bundle settings for all three functions. ESM for top-level await at start-up;
 * the banner gives CommonJS dependencies the `require` they call (the `yaml` parser's Node.js build,
 * which the cluster adapter loads to read a kubeconfig, requires `process` and `buffer`).
 * The pinned AWS SDK is bundled rather than taken from the runtime: the code runs on the SDK
 * version its tests ran on, esbuild drops the unused parts, and a bundled, minified SDK
 * initialises faster than the runtime's unbundled copy.
 */
const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  // Stack traces need only file and line; leaving the sources out keeps the map small.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
  bundleAwsSDK: true,
  forceDockerBundling: false,
};

export interface LambdaFunctionProps {
  /** The folder under functions/ that holds handler.ts, also the function's name suffix. */
  name: 'execute' | 'reconcile' | 'audit-forwarder' | 'events' | 'events-sink';
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  logLevel: string;
  reservedConcurrentExecutions?: number;
  placement?: VpcPlacement;
}

export class LambdaFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `wfe ${props.name}: inline, resource-scoped permissions only`,
    });
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    logGroup.grantWrite(this.role);
    props.placement?.grantAttach(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: `${Stack.of(this).stackName}-${props.name}`,
      description: `wfe ${props.name} (Kubernaut WorkflowExecution)`,
      entry: `${PROJECT_ROOT}functions/${props.name}/handler.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...props.placement?.functionProps,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: BUNDLING,
    });
    Validations.of(this.fn.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the pinned deploy runtime (standard support until 30 Apr 2027): the dependency set is tested on Node 20/22, and the AWS SDK pins are chosen for it. The runtime moves with the stack, not ahead of it.',
    });
  }
}
