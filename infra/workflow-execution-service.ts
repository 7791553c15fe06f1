/**
 * The whole system (SPEC §1) as one construct: composes the constructs of infra/ and publishes the
 * outputs the `wfe` CLI reads. The app's stack (wfe-stack.ts) is one user of it; another app places
 * it in a stack of its own, with its own VPC, alarm topic and cluster (infra/README.md).
 */
import { Aws, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet, IVpc } from 'aws-cdk-lib/aws-ec2';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Alarms } from './alarms.js';
import { ClusterAccess } from './cluster-access.js';
import { type InfraConfig, parseInfraConfig, type WfeSettings } from './config.js';
import { WfeDashboard } from './dashboard.js';
import { EVENTS_TIMEOUT, EXECUTE_TIMEOUT, Functions, RECONCILE_TIMEOUT } from './functions.js';
import { StackOutput } from './outputs.js';
import { Queues } from './queues.js';
import { StateTable } from './state-table.js';
import { Sweep } from './sweep.js';
import { VpcPlacement } from './vpc-placement.js';

/** The cluster the PipelineRuns run on, and how execute, reconcile and events reach it (SPEC §4). */
export type ClusterReference =
  | {
      /** An EKS cluster in the stack's account and region, called with the functions' IAM roles. */
      readonly eksClusterName: string;
      /** Create the EKS access entries that map the roles to `kubernetesGroup` (default true). */
      readonly createAccessEntry?: boolean;
      /** Default `wfe-executors`, the group infra/cluster-rbac.yaml binds. */
      readonly kubernetesGroup?: string;
      /** The cluster's name in every lock key; default `eksClusterName`. */
      readonly clusterName?: string;
    }
  | {
      /** The complete ARN of a Secrets Manager secret holding a kubeconfig. */
      readonly kubeconfigSecretArn: string;
      /** The cluster's name in every lock key; default `default`. */
      readonly clusterName?: string;
    };

/** One of several clusters one service serves (WE-16): requests name it in `kubernaut.ai/cluster`. */
export type FleetClusterReference = {
  /** A DNS label: what requests, lock keys, audit records and metrics call the cluster. */
  readonly name: string;
  /** Where its PipelineRuns run; default the `executionNamespace` setting. */
  readonly namespace?: string;
} & (
  | {
      /** An EKS cluster in the stack's account and region, called with the functions' IAM roles. */
      readonly eksClusterName: string;
    }
  | {
      /** The complete ARN of a Secrets Manager secret holding a kubeconfig for it. */
      readonly kubeconfigSecretArn: string;
    }
);

/** The clusters one service serves (WE-16): each gets its own events token and access entries. */
export interface FleetReference {
  readonly clusters: readonly FleetClusterReference[];
  /** The cluster of a request without the `kubernaut.ai/cluster` label; default the first. */
  readonly defaultCluster?: string;
  /** Create the EKS access entries in each EKS cluster (default true). */
  readonly createAccessEntry?: boolean;
  /** Default `wfe-executors`, the group infra/cluster-rbac.yaml binds. */
  readonly kubernetesGroup?: string;
}

/** Where the functions run when the cluster's endpoint is private: the operator's own network. */
export interface ExistingVpc {
  readonly vpc: IVpc;
  readonly subnets: ISubnet[];
  readonly securityGroup: ISecurityGroup;
}

/** The settings of infra/README's table, by the same names, other than those the props below carry. */
export type ServiceSettings = Partial<
  Omit<
    WfeSettings,
    | 'stackName'
    | 'clusterAuth'
    | 'eksClusterName'
    | 'createAccessEntry'
    | 'kubernetesGroup'
    | 'kubeconfigSecretArn'
    | 'clusterName'
    | 'clusters'
    | 'defaultCluster'
    | 'vpcId'
    | 'subnetIds'
    | 'securityGroupId'
  >
>;

export interface WorkflowExecutionServiceProps {
  /** Without it (or `fleet`) the functions refuse to start (EKS_CLUSTER_NAME is required), and synth warns. */
  readonly cluster?: ClusterReference;
  /** Several clusters, one service (WE-16), in place of `cluster`. */
  readonly fleet?: FleetReference;
  /** Checked as `-c` values are: an invalid one throws an InfraConfigError naming it. */
  readonly settings?: ServiceSettings;
  readonly vpc?: ExistingVpc;
  /** The alarms notify this topic; without it the service creates one, encrypted with its own key. */
  readonly alarmTopic?: ITopic;
}

/** The flat settings a cluster reference stands for. */
function clusterSettings(cluster: ClusterReference | undefined): Partial<WfeSettings> {
  if (!cluster) return {};
  if ('kubeconfigSecretArn' in cluster) return { clusterAuth: 'kubeconfig', ...cluster };
  return { clusterAuth: 'eks', ...cluster };
}

export class WorkflowExecutionService extends Construct {
  readonly config: InfraConfig;
  readonly state: StateTable;
  readonly queues: Queues;
  readonly functions: Functions;
  readonly sweep: Sweep;
  readonly alarms: Alarms;
  readonly dashboard: WfeDashboard;

  constructor(scope: Construct, id: string, props: WorkflowExecutionServiceProps = {}) {
    super(scope, id);
    const config = parseInfraConfig({
      ...props.settings,
      ...clusterSettings(props.cluster),
      ...props.fleet,
    });
    this.config = config;
    for (const { setting, message } of config.warnings)
      Validations.of(this).addWarning(`wfe:${setting}`, message);
    this.state = new StateTable(this, 'State', { deletionProtection: config.deletionProtection });
    this.queues = new Queues(this, 'Queues', {
      maxReceiveCount: config.requests.maxReceiveCount,
      // Lambda's guidance: at least 6 × the function timeout, plus the time a batch may gather.
      visibilityTimeout: Duration.seconds(
        6 * EXECUTE_TIMEOUT.toSeconds() + config.requests.maxBatchingWindowSeconds,
      ),
      eventsVisibilityTimeout: Duration.seconds(6 * EVENTS_TIMEOUT.toSeconds()),
    });
    const placement = props.vpc ? new VpcPlacement(this, 'Placement', props.vpc) : undefined;
    this.functions = new Functions(this, 'Functions', {
      config,
      state: this.state,
      queues: this.queues,
      placement,
    });
    this.sweep = new Sweep(this, 'Sweep', {
      reconcile: this.functions.reconcile,
      timeout: RECONCILE_TIMEOUT,
    });
    if (config.requests.senders)
      this.queues.admitSendersOnly(config.requests.senders, [this.functions.execute.role]);
    new ClusterAccess(this, 'ClusterAccess', {
      cluster: config.cluster,
      fleet: config.fleet,
      callers: [this.functions.execute, this.functions.reconcile, this.functions.events],
    });
    this.alarms = new Alarms(this, 'Alarms', {
      functions: this.functions,
      queues: this.queues,
      sweep: this.sweep,
      topic: props.alarmTopic,
      email: config.alarmEmail,
    });
    this.dashboard = new WfeDashboard(this, 'Dashboard', {
      functions: this.functions,
      queues: this.queues,
      alarms: this.alarms.all,
    });

    const { execute, reconcile, auditForwarder } = this.functions;
    const dashboardName = this.dashboard.dashboard.dashboardName;
    type Output = [StackOutput, string | undefined, string];
    const eventsTokenOutput: Output = config.fleet
      ? [
          StackOutput.EventsTokenSecrets,
          Stack.of(this).toJsonString(
            Object.fromEntries(
              [...this.functions.eventsTokens].map(([cluster, secret]) => [cluster, secret.secretArn]),
            ),
          ),
          "Each cluster's events sink token as JSON {cluster: secret ARN} (the tokens stay in Secrets Manager): `npx wfe events-sink --cluster NAME`",
        ]
      : [
          StackOutput.EventsTokenSecretArn,
          this.functions.eventsToken.secretArn,
          'The events sink token (an ARN; the token stays in Secrets Manager)',
        ];
    const outputs: Output[] = [
      [StackOutput.QueueUrl, this.queues.requests.queueUrl, 'Send WorkflowExecution requests here'],
      [
        StackOutput.DlqUrl,
        this.queues.requestsDlq.queueUrl,
        'Requests that could not be executed, with the reason',
      ],
      [StackOutput.AuditDlqUrl, this.queues.auditDlq.queueUrl, 'Audit events DataStorage did not take'],
      [StackOutput.TableName, this.state.table.tableName, 'Executions, locks and the audit outbox'],
      [StackOutput.DashboardName, dashboardName, 'The CloudWatch dashboard'],
      [
        StackOutput.DashboardUrl,
        `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${dashboardName}`,
        'The CloudWatch dashboard in the console',
      ],
      [StackOutput.ExecuteFunctionName, execute.fn.functionName, 'The execute function'],
      [StackOutput.ReconcileFunctionName, reconcile.fn.functionName, 'The reconcile function'],
      [StackOutput.AuditForwarderFunctionName, auditForwarder.fn.functionName, 'The audit forwarder'],
      [StackOutput.ExecuteRoleArn, execute.role.roleArn, 'Grant this role cluster access (EKS access entry)'],
      [
        StackOutput.ReconcileRoleArn,
        reconcile.role.roleArn,
        'Grant this role cluster access (EKS access entry)',
      ],
      [
        StackOutput.EventsSinkUrl,
        this.eventsSinkUrl,
        "Tekton's CloudEvents sink, without its token: `npx wfe events-sink` prints the whole URL and the kubectl command for Tekton's config-events (infra/README.md)",
      ],
      eventsTokenOutput,
      [StackOutput.AlarmTopicArn, this.alarms.topic.topicArn, 'Subscribe here to receive the alarms'],
      [StackOutput.ExecutionNamespace, config.execution.namespace, 'Where the PipelineRuns run'],
      [
        StackOutput.ClusterName,
        config.execution.clusterName,
        config.fleet
          ? 'The default cluster: of a request without kubernaut.ai/cluster'
          : 'The cluster name in every lock key',
      ],
      [StackOutput.DataStorageUrl, config.audit.dataStorageUrl, 'Where the audit trail goes'],
      [
        StackOutput.DataStorageTokenSecretArn,
        config.audit.tokenSecretArn,
        'The DataStorage bearer token (an ARN; the secret stays in Secrets Manager)',
      ],
    ];
    // Fixed keys, whatever the construct's id: the wfe CLI finds the system by them (one service per stack).
    for (const [key, value, description] of outputs)
      if (value !== undefined) new CfnOutput(this, key, { key, value, description });
  }

  /** Where requests go: grant senders `sqs:SendMessage` here (or name them in `requestSenders`). */
  get requestQueue() {
    return this.queues.requests;
  }

  get table() {
    return this.state.table;
  }

  /** Tekton's CloudEvents sink without its token (WE-13): point `config-events` at it plus the token. */
  get eventsSinkUrl(): string {
    return `${this.functions.eventsSinkUrl}tekton/`;
  }

  get alarmTopic(): ITopic {
    return this.alarms.topic;
  }
}
