/**
 * The request queue with its dead-letter queue, the audit DLQ the forwarder and the stream's
 * on-failure destination write to, and the events function's two queues (Tekton's events from the
 * sink; the lock timers and re-checks) with their DLQ. All are encrypted and refuse plain HTTP; the
 * request queue, once the operator names its senders, takes messages from them and the stack's own
 * functions only (WE-15).
 */
import { type CfnResource, Duration, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, ArnPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueuesProps {
  maxReceiveCount: number;
  /** At least 6 × the execute function's timeout, as Lambda's SQS guidance asks. */
  visibilityTimeout: Duration;
  /** At least 6 × the events function's timeout. */
  eventsVisibilityTimeout: Duration;
}

/** Long enough for an operator to come back from a weekend and a holiday. */
const DEAD_LETTER_RETENTION = Duration.days(14);

export class Queues extends Construct {
  readonly requests: Queue;
  readonly requestsDlq: Queue;
  readonly auditDlq: Queue;
  readonly events: Queue;
  readonly timers: Queue;
  readonly eventsDlq: Queue;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
    this.requestsDlq = new Queue(this, 'RequestsDlq', { ...common, retentionPeriod: DEAD_LETTER_RETENTION });
    this.requests = new Queue(this, 'Requests', {
      ...common,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.requestsDlq, maxReceiveCount: props.maxReceiveCount },
    });
    this.auditDlq = new Queue(this, 'AuditDlq', { ...common, retentionPeriod: DEAD_LETTER_RETENTION });
    this.eventsDlq = new Queue(this, 'EventsDlq', { ...common, retentionPeriod: DEAD_LETTER_RETENTION });
    const events = {
      ...common,
      visibilityTimeout: props.eventsVisibilityTimeout,
      deadLetterQueue: { queue: this.eventsDlq, maxReceiveCount: props.maxReceiveCount },
    };
    this.events = new Queue(this, 'Events', events);
    this.timers = new Queue(this, 'Timers', events);
    Validations.of(this.auditDlq.node.defaultChild as CfnResource).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter queue: the on-failure destination of the audit stream mapping and the forwarder's target for refused events. It is drained by `wfe audit redrive` and alarmed at 1 message; a DLQ behind it would only hide the same records one hop further.",
    });
  }

  /** Only `senders` (role or user ARNs) and the stack's own roles may send requests. */
  admitSendersOnly(senders: readonly string[], ownRoles: readonly IRole[]): void {
    this.requests.addToResourcePolicy(
      new PolicyStatement({
        sid: 'NamedSenders',
        effect: Effect.ALLOW,
        principals: senders.map((arn) => new ArnPrincipal(arn)),
        actions: ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes'],
        resources: [this.requests.queueArn],
      }),
    );
    this.requests.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyNamedSenders',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.requests.queueArn],
        conditions: {
          ArnNotEquals: { 'aws:PrincipalArn': [...senders, ...ownRoles.map((r) => r.roleArn)] },
        },
      }),
    );
  }
}
