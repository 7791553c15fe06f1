/**
 * The whole system (SPEC §1) in one stack: composes the constructs of infra/ and publishes the
 * outputs the `wfe` CLI reads. Nothing is decided here that a construct could decide.
 */
import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alarms } from './alarms.js';
import { ClusterAccess } from './cluster-access.js';
import type { InfraConfig } from './config.js';
import { WfeDashboard } from './dashboard.js';
import { EVENTS_TIMEOUT, EXECUTE_TIMEOUT, Functions } from './functions.js';
import { StackOutput } from './outputs.js';
import { Queues } from './queues.js';
import { StateTable } from './state-table.js';
import { VpcPlacement } from './vpc-placement.js';

export interface WfeStackProps extends StackProps {
  config: InfraConfig;
}

export class WfeStack extends Stack {
  readonly state: StateTable;
  readonly queues: Queues;
  readonly functions: Functions;
  readonly alarms: Alarms;
  readonly dashboard: WfeDashboard;

  constructor(scope: Construct, id: string, props: WfeStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.state = new StateTable(this, 'State', { deletionProtection: config.deletionProtection });
    this.queues = new Queues(this, 'Queues', {
      maxReceiveCount: config.requests.maxReceiveCount,
      // Lambda's guidance: at least 6 × the function timeout, plus the time a batch may gather.
      visibilityTimeout: Duration.seconds(
        6 * EXECUTE_TIMEOUT.toSeconds() + config.requests.maxBatchingWindowSeconds,
      ),
      eventsVisibilityTimeout: Duration.seconds(6 * EVENTS_TIMEOUT.toSeconds()),
    });
    const placement = config.vpc ? new VpcPlacement(this, 'Placement', config.vpc) : undefined;
    this.functions = new Functions(this, 'Functions', {
      config,
      state: this.state,
      queues: this.queues,
      placement,
    });
    if (config.requests.senders)
      this.queues.admitSendersOnly(config.requests.senders, [this.functions.execute.role]);
    new ClusterAccess(this, 'ClusterAccess', {
      cluster: config.cluster,
      callers: [this.functions.execute, this.functions.reconcile, this.functions.events],
    });
    this.alarms = new Alarms(this, 'Alarms', {
      functions: this.functions,
      queues: this.queues,
      email: config.alarmEmail,
    });
    this.dashboard = new WfeDashboard(this, 'Dashboard', {
      functions: this.functions,
      queues: this.queues,
      alarms: this.alarms.all,
    });

    const { execute, reconcile, auditForwarder } = this.functions;
    const dashboardName = this.dashboard.dashboard.dashboardName;
    const outputs: [StackOutput, string | undefined, string][] = [
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
        `${this.functions.eventsSinkUrl}tekton/`,
        "Tekton's CloudEvents sink, without its token: append the value of the EventsTokenSecretArn secret (infra/README.md)",
      ],
      [
        StackOutput.EventsTokenSecretArn,
        this.functions.eventsToken.secretArn,
        'The events sink token (an ARN; the token stays in Secrets Manager)',
      ],
      [StackOutput.AlarmTopicArn, this.alarms.topic.topicArn, 'Subscribe here to receive the alarms'],
      [StackOutput.ExecutionNamespace, config.execution.namespace, 'Where the PipelineRuns run'],
      [StackOutput.ClusterName, config.execution.clusterName, 'The cluster name in every lock key'],
      [StackOutput.DataStorageUrl, config.audit.dataStorageUrl, 'Where the audit trail goes'],
      [
        StackOutput.DataStorageTokenSecretArn,
        config.audit.tokenSecretArn,
        'The DataStorage bearer token (an ARN; the secret stays in Secrets Manager)',
      ],
    ];
    for (const [key, value, description] of outputs)
      if (value !== undefined) new CfnOutput(this, key, { key, value, description });
  }
}
