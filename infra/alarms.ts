/**
 * The alarms an operator must act on (SPEC WE-11): anything in a dead-letter queue, audit
 * forwarding falling behind, function errors, and locks held past their lease. They notify one
 * SNS topic, encrypted with a rotating key, with an optional email subscription.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Functions } from './functions.js';
import { lockMetrics, queueDepth, sweepMetrics } from './metrics.js';
import type { Queues } from './queues.js';
import type { Sweep } from './sweep.js';

/** IteratorAge above this means audit events reach DataStorage more than 5 minutes late. */
export const ITERATOR_AGE_THRESHOLD_MS = 5 * 60 * 1000;
/** Reconcile runs every minute: this long without an invocation means the schedule or the function is gone. */
export const RECONCILE_SILENCE = Duration.minutes(5);
/**
 * A deferred request waits up to 15 minutes (SQS's longest delay) and a receive hides it for a few
 * more; a request older than this is not being taken (execute throttled, failing, or its trigger off).
 */
export const REQUEST_AGE_THRESHOLD = Duration.minutes(20);

export interface AlarmsProps {
  functions: Functions;
  queues: Queues;
  sweep: Sweep;
  /** The operator's own topic; without it, one encrypted with a rotating key of its own. */
  topic?: ITopic;
  email?: string;
}

export class Alarms extends Construct {
  readonly topic: ITopic;
  readonly all: Alarm[] = [];

  constructor(scope: Construct, id: string, { functions, queues, sweep, topic, email }: AlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = topic ?? this.encryptedTopic();
    if (email) this.topic.addSubscription(new EmailSubscription(email));
    const action = new SnsAction(this.topic);
    const alarm = (
      name: string,
      metric: IMetric,
      threshold: number,
      description: string,
      comparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened, for most: no messages, no errors, no forwarding work.
      treatMissingData = TreatMissingData.NOT_BREACHING,
    ) => {
      const created = new Alarm(this, name.replaceAll(' ', ''), {
        alarmName: `${stack.stackName} ${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.all.push(created);
    };

    alarm(
      'request DLQ not empty',
      queueDepth(queues.requestsDlq),
      1,
      'A request could not be executed and was dead-lettered with its reason: read it with `aws sqs receive-message`, fix, resend.',
    );
    alarm(
      'audit DLQ not empty',
      queueDepth(queues.auditDlq),
      1,
      'Audit events did not reach DataStorage: fix DataStorage or the refused events, then `wfe audit redrive`.',
    );
    alarm(
      'audit forwarding behind',
      functions.auditForwarder.fn.metric('IteratorAge', {
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      ITERATOR_AGE_THRESHOLD_MS,
      'The audit forwarder is more than 5 minutes behind the state table stream (DataStorage down or slow?).',
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
    for (const fn of functions.all) {
      alarm(
        `${fn.node.id} errors`,
        fn.fn.metricErrors({ statistic: Stats.SUM, period: Duration.minutes(5) }),
        1,
        `The ${fn.node.id} function failed (an exception or a timeout, not a rejected request): see its log group.`,
      );
    }
    alarm(
      'sweep items failing',
      sweepMetrics().itemFailures,
      1,
      'The sweep could not handle an execution or a lock (it threw) and skipped it; the next sweep tries again. The reconcile log says which item and why (message "reconcile could not handle an item").',
    );
    alarm(
      'sweep DLQ not empty',
      queueDepth(sweep.dlq),
      1,
      'A shard of the sweep failed three times (the cluster or the table unavailable); later sweeps cover it. Purge the sweep DLQ once the cause is fixed.',
    );
    alarm(
      'locks held past lease',
      lockMetrics().stuck,
      1,
      'A target lock was held past its lease without a PipelineRun (SPEC WE-8); reconcile released it and failed the execution. Check the cluster and the execute function.',
    );
    alarm(
      'reconcile not invoked',
      functions.reconcile.fn.metricInvocations({ statistic: Stats.SUM, period: RECONCILE_SILENCE }),
      1,
      'reconcile has not run for 5 minutes: finished runs are not recorded and cooldowns are not released unless Tekton events arrive. Check the schedule rule (enabled?) and the function (throttled, deleted?).',
      ComparisonOperator.LESS_THAN_THRESHOLD,
      // No invocations report no data at all: silence is the failure this alarm is for.
      TreatMissingData.BREACHING,
    );
    alarm(
      'requests waiting',
      queues.requests.metricApproximateAgeOfOldestMessage({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      REQUEST_AGE_THRESHOLD.toSeconds(),
      'A request has waited in the request queue for more than 20 minutes: execute is not taking requests (throttled, failing, or its queue trigger disabled). See its errors and throttles on the dashboard.',
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
  }

  /** A topic only this account's alarms may publish to, over SSL, encrypted with a rotating key. */
  private encryptedTopic(): Topic {
    const stack = Stack.of(this);
    const alarmArns = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': alarmArns },
    };
    const key = new Key(this, 'TopicKey', {
      description: 'wfe alarm notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch must be able to encrypt into the topic; the AWS-managed SNS key does not allow that.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsEncrypt',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    const created = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    // The SSL-only policy replaces the topic's default policy, so the alarms' publish is allowed explicitly.
    created.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [created.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    return created;
  }
}
