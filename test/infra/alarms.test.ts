import { Match } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { FULL_CONTEXT, synth } from './synth.js';

describe('Alarms', () => {
  const s = synth();
  const { stack, resolve } = s;
  const topic = resolve(stack.service.alarms.topic.topicArn);
  const alarm = (name: string, props: Record<string, unknown>) =>
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `wfe ${name}`,
      AlarmActions: [topic],
      OKActions: [topic],
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      ...props,
    });

  it('fires on any message in either dead-letter queue', () => {
    for (const [name, queue] of [
      ['request DLQ not empty', stack.service.queues.requestsDlq],
      ['audit DLQ not empty', stack.service.queues.auditDlq],
    ] as const) {
      alarm(name, {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: resolve(queue.queueName) }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('fires when the forwarder is more than 5 minutes behind the stream', () => {
    alarm('audit forwarding behind', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [
        { Name: 'FunctionName', Value: resolve(stack.service.functions.auditForwarder.fn.functionName) },
      ],
      Statistic: 'Maximum',
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('fires on errors of each function', () => {
    for (const fn of stack.service.functions.all) {
      alarm(`${fn.node.id} errors`, {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: resolve(fn.fn.functionName) }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('fires when reconcile reports a lock held past its lease, whatever its dimensions', () => {
    alarm('locks held past lease', {
      Metrics: [
        Match.objectLike({ Expression: 'SELECT SUM(wfe_stuck_locks_total) FROM wfe', ReturnData: true }),
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fires when reconcile has not been invoked for 5 minutes, treating no data as silence', () => {
    alarm('reconcile not invoked', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: [
        { Name: 'FunctionName', Value: resolve(stack.service.functions.reconcile.fn.functionName) },
      ],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it("fires when the request queue's oldest message is older than 20 minutes", () => {
    alarm('requests waiting', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: resolve(stack.service.queues.requests.queueName) }],
      Statistic: 'Maximum',
      Threshold: 1200,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('WE-14: fires on a sweep item that throws (skipped, retried by the next sweep) and on a shard in the sweep DLQ', () => {
    alarm('sweep items failing', {
      Metrics: [
        Match.objectLike({
          Expression: 'SELECT SUM(wfe_sweep_item_failures_total) FROM wfe',
          ReturnData: true,
        }),
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    alarm('sweep DLQ not empty', { Threshold: 1 });
  });

  it('has no alarm beyond those above, all to the one topic', () => {
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 13);
    s.template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: [topic] }, 13);
  });

  it('notifies an SNS topic encrypted with a rotating key that CloudWatch may use, over SSL only', () => {
    const key = resolve(stack.service.alarms.topic.masterKey?.keyArn);
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: key });
    s.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
          }),
        ]),
      },
    });
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes the alarm email when given', () => {
    synth(FULL_CONTEXT).template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });
});
