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

    const output = (key: StackOutput, value: string, description: string) =>
      new CfnOutput(this, key, { key, value, description });
    output(StackOutput.QueueUrl, this.queues.requests.queueUrl, 'Send WorkflowExecution requests here');
    output(
      StackOutput.DlqUrl,
      this.queues.requestsDlq.queueUrl,
      'Requests that could not be executed, with the reason',
    );
    output(StackOutput.AuditDlqUrl, this.queues.auditDlq.queueUrl, 'Audit events DataStorage did not take');
    output(StackOutput.TableName, this.state.table.tableName, 'Executions, locks and the audit outbox');
    output(StackOutput.DashboardName, this.dashboard.dashboard.dashboardName, 'The CloudWatch dashboard');
    output(
      StackOutput.DashboardUrl,
      `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.dashboard.dashboard.dashboardName}`,
      'The CloudWatch dashboard in the console',
    );
    output(StackOutput.ExecuteFunctionName, this.functions.execute.fn.functionName, 'The execute function');
    output(
      StackOutput.ReconcileFunctionName,
      this.functions.reconcile.fn.functionName,
      'The reconcile function',
    );
    output(
      StackOutput.AuditForwarderFunctionName,
      this.functions.auditForwarder.fn.functionName,
      'The audit forwarder',
    );
    output(
      StackOutput.ExecuteRoleArn,
      this.functions.execute.role.roleArn,
      'Grant this role cluster access (EKS access entry)',
    );
    output(
      StackOutput.ReconcileRoleArn,
      this.functions.reconcile.role.roleArn,
      'Grant this role cluster access (EKS access entry)',
    );
    output(
      StackOutput.EventsSinkUrl,
      `${this.functions.eventsSinkUrl}tekton/`,
      "Tekton's CloudEvents sink, without its token: append the EventsTokenSecretArn secret's value (wfe events sink prints the whole URL)",
    );
    output(
      StackOutput.EventsTokenSecretArn,
      this.functions.eventsToken.secretArn,
      'The events sink token (an ARN; the token stays in Secrets Manager)',
    );
    output(StackOutput.AlarmTopicArn, this.alarms.topic.topicArn, 'Subscribe here to receive the alarms');
    output(StackOutput.ExecutionNamespace, config.execution.namespace, 'Where the PipelineRuns run');
    output(StackOutput.ClusterName, config.execution.clusterName, 'The cluster name in every lock key');
    output(StackOutput.DataStorageUrl, config.audit.dataStorageUrl, 'Where the audit trail goes');
    if (config.audit.tokenSecretArn)
      output(
        StackOutput.DataStorageTokenSecretArn,
        config.audit.tokenSecretArn,
        'The DataStorage bearer token (an ARN; the secret stays in Secrets Manager)',
      );
  }
}
