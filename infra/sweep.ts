/**
 * The sweep spread out (WE-14): the sweep queue, on which the scheduled reconcile puts one message per
 * shard of the due index, and the same reconcile function consuming it, a shard per message, at most
 * SWEEP_CONCURRENCY at once. One function has both triggers because both need the same table,
 * cluster access and timers: a separate worker would repeat the cluster grant and the wiring for a
 * schedule whose own work is two SendMessageBatch calls.
 */
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LambdaFunction } from './lambda-function.js';

/**
 * Shards swept at once: each holds its own cluster LIST and table queries, so this bounds the load the
 * sweep puts on the API server and the table, whatever the number of shards.
 */
export const SWEEP_CONCURRENCY = 4;
/** A shard message the function failed (the cluster unavailable) comes back this many times, then waits in the DLQ. */
const SWEEP_MAX_RECEIVES = 3;

export interface SweepProps {
  reconcile: LambdaFunction;
  /** The reconcile function's timeout: a message stays hidden six times as long (Lambda's SQS guidance). */
  timeout: Duration;
}

export class Sweep extends Construct {
  readonly queue: Queue;
  readonly dlq: Queue;

  constructor(scope: Construct, id: string, { reconcile, timeout }: SweepProps) {
    super(scope, id);
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
    this.dlq = new Queue(this, 'Dlq', { ...common, retentionPeriod: Duration.days(1) });
    this.queue = new Queue(this, 'Queue', {
      ...common,
      visibilityTimeout: Duration.seconds(6 * timeout.toSeconds()),
      // A shard not swept within a few minutes is swept by a later fan-out anyway.
      retentionPeriod: Duration.minutes(10),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: SWEEP_MAX_RECEIVES },
    });
    reconcile.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: SWEEP_CONCURRENCY,
      }),
    );
    reconcile.fn.addEnvironment('SWEEP_QUEUE_URL', this.queue.queueUrl);
    reconcile.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'FanOutShards',
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
    // The workers and the schedule's fan-out share the function: room for all of them, and no more.
    (reconcile.fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = SWEEP_CONCURRENCY + 1;
  }
}
