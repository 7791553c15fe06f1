/**
 * The functions (SPEC §1), their triggers and their grants. Each role gets exactly what its
 * function calls, scoped to the one resource it calls it on; the environment is SPEC §4.
 */
import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, FunctionUrlAuthType, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { RecordKind, TABLE } from '../functions/adapters/dynamodb/table.js';
import { EXECUTION_TABLE_ACTIONS } from '../functions/adapters/dynamodb/table-actions.js';
import { clustersEnvEntry, type InfraConfig } from './config.js';
import { LambdaFunction } from './lambda-function.js';
import type { Queues } from './queues.js';
import type { StateTable } from './state-table.js';
import type { VpcPlacement } from './vpc-placement.js';

/** Execute creates one PipelineRun per request; 30 s covers a slow API server with room to spare. */
export const EXECUTE_TIMEOUT = Duration.seconds(30);
/** A reconcile invocation (the fan-out, or one shard's sweep) ends before the next minute's schedule. */
export const RECONCILE_TIMEOUT = Duration.seconds(60);
/** The forwarder retries DataStorage with backoff inside one invocation before giving the batch back. */
const FORWARDER_TIMEOUT = Duration.seconds(60);
/** The events function syncs one execution or lock per message: a few cluster and table calls. */
export const EVENTS_TIMEOUT = Duration.seconds(30);
/** The sink only enqueues. */
const SINK_TIMEOUT = Duration.seconds(10);
/**
 * Bounds on the event path, so a burst of Tekton events never starves execute (WE-13): the sink
 * runs at most this many at once (Tekton retries the 429s beyond it), the consumer as many batches.
 */
const SINK_CONCURRENCY = 5;
const EVENTS_MAX_CONCURRENCY = 5;

export interface FunctionsProps {
  config: InfraConfig;
  state: StateTable;
  queues: Queues;
  placement?: VpcPlacement;
}

export class Functions extends Construct {
  readonly execute: LambdaFunction;
  readonly reconcile: LambdaFunction;
  readonly auditForwarder: LambdaFunction;
  readonly events: LambdaFunction;
  readonly eventsSink: LambdaFunction;
  readonly eventsSinkUrl: string;
  /** Each cluster's events sink token (WE-13, WE-16), by cluster name: the token in a URL names its cluster. */
  readonly eventsTokens: ReadonlyMap<string, Secret>;
  private readonly defaultCluster: string;

  constructor(scope: Construct, id: string, { config, state, queues, placement }: FunctionsProps) {
    super(scope, id);
    const common = { logRetention: config.logs.retentionDays, logLevel: config.logs.level, placement };
    this.defaultCluster = config.execution.clusterName;
    this.eventsTokens = this.createEventsTokens(config);
    // Several clusters are one list (WE-16) with each cluster's access; one cluster keeps its own variables.
    const clustersEnv = (withTokens: boolean) =>
      config.fleet && {
        CLUSTERS: Stack.of(this).toJsonString(
          config.fleet.clusters.map((cluster) =>
            clustersEnvEntry(
              cluster,
              config.execution.namespace,
              withTokens ? this.eventsTokens.get(cluster.name)?.secretArn : undefined,
            ),
          ),
        ),
        DEFAULT_CLUSTER: config.fleet.defaultCluster,
      };
    const execution = {
      TABLE_NAME: state.table.tableName,
      EXECUTION_NAMESPACE: config.execution.namespace,
      SERVICE_ACCOUNT_NAME: config.execution.serviceAccountName,
      ...(clustersEnv(false) ?? { CLUSTER_NAME: config.execution.clusterName }),
      COOLDOWN_PERIOD: config.execution.cooldownPeriod,
      LOCK_LEASE: config.execution.lockLease,
    };

    this.execute = new LambdaFunction(this, 'Execute', {
      ...common,
      name: 'execute',
      timeout: EXECUTE_TIMEOUT,
      // More memory is more CPU: for the cold start and the TLS handshake with the cluster.
      memorySize: 1024,
      environment: {
        ...execution,
        QUEUE_URL: queues.requests.queueUrl,
        DLQ_URL: queues.requestsDlq.queueUrl,
        ...(config.execution.allowedServiceAccounts
          ? { ALLOWED_SERVICE_ACCOUNTS: config.execution.allowedServiceAccounts.join(',') }
          : {}),
        ...(config.execution.allowedBundlePrefixes
          ? { ALLOWED_BUNDLE_PREFIXES: config.execution.allowedBundlePrefixes.join(',') }
          : {}),
        TIMER_QUEUE_URL: queues.timers.queueUrl,
      },
    });
    this.execute.fn.addEventSource(
      new SqsEventSource(queues.requests, {
        batchSize: config.requests.batchSize,
        maxBatchingWindow: Duration.seconds(config.requests.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        // Caps concurrent PipelineRun creation against the cluster without throttled receives.
        maxConcurrency: config.requests.maxConcurrency,
      }),
    );
    // Deferrals go back to the request queue (with DelaySeconds); rejections to its DLQ.
    this.execute.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'RequeueAndReject',
        actions: ['sqs:SendMessage'],
        resources: [queues.requests.queueArn, queues.requestsDlq.queueArn],
      }),
    );

    this.reconcile = new LambdaFunction(this, 'Reconcile', {
      ...common,
      name: 'reconcile',
      timeout: RECONCILE_TIMEOUT,
      memorySize: 1024,
      // Overlapping sweeps are safe (WE-7); infra/sweep.ts bounds how many run at once.
      reservedConcurrentExecutions: 1,
      environment: { ...execution, TIMER_QUEUE_URL: queues.timers.queueUrl },
    });
    // A missed or throttled tick is not worth retrying: the next one comes within a minute.
    this.reconcile.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    new Rule(this, 'ReconcileSchedule', {
      description: 'wfe reconcile: sync Running executions, release expired locks',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaTarget(this.reconcile.fn, { retryAttempts: 0 })],
    });

    this.events = new LambdaFunction(this, 'Events', {
      ...common,
      name: 'events',
      timeout: EVENTS_TIMEOUT,
      memorySize: 1024,
      environment: { ...execution, TIMER_QUEUE_URL: queues.timers.queueUrl },
    });
    for (const queue of [queues.events, queues.timers]) {
      this.events.fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: 10,
          reportBatchItemFailures: true,
          maxConcurrency: EVENTS_MAX_CONCURRENCY,
        }),
      );
    }

    this.eventsSink = new LambdaFunction(this, 'EventsSink', {
      ...common,
      name: 'events-sink',
      timeout: SINK_TIMEOUT,
      memorySize: 256,
      reservedConcurrentExecutions: SINK_CONCURRENCY,
      environment: {
        EVENTS_QUEUE_URL: queues.events.queueUrl,
        ...(clustersEnv(true) ?? { EVENTS_TOKEN_SECRET_ARN: this.eventsToken.secretArn }),
      },
    });
    const url = this.eventsSink.fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    this.eventsSinkUrl = url.url;
    this.eventsSink.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EnqueueEvents',
        actions: ['sqs:SendMessage'],
        resources: [queues.events.queueArn],
      }),
    );
    this.eventsSink.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EventsToken',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...this.eventsTokens.values()].map((secret) => secret.secretArn),
      }),
    );

    for (const fn of [this.execute, this.reconcile, this.events]) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'StateItems',
          actions: [...EXECUTION_TABLE_ACTIONS.items],
          resources: [state.table.tableArn],
        }),
      );
      // Lock timers, and the events function's re-checks of a run seen before its execution is Running.
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'LockTimers',
          actions: ['sqs:SendMessage'],
          resources: [queues.timers.queueArn],
        }),
      );
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'DueIndexQuery',
          actions: [...EXECUTION_TABLE_ACTIONS.dueIndex],
          resources: [state.dueIndexArn],
        }),
      );
    }

    this.auditForwarder = new LambdaFunction(this, 'AuditForwarder', {
      ...common,
      name: 'audit-forwarder',
      timeout: FORWARDER_TIMEOUT,
      memorySize: 512,
      environment: {
        DATASTORAGE_URL: config.audit.dataStorageUrl,
        AUDIT_DLQ_URL: queues.auditDlq.queueUrl,
        AUDIT_BATCH_SIZE: String(config.audit.batchSize),
        AUDIT_REQUEST_TIMEOUT: config.audit.requestTimeout,
        AUDIT_GIVE_UP_AFTER: config.audit.giveUpAfter,
        ...(config.audit.tokenSecretArn ? { DATASTORAGE_TOKEN_SECRET_ARN: config.audit.tokenSecretArn } : {}),
      },
    });
    this.auditForwarder.fn.addEventSource(
      new DynamoEventSource(state.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: config.audit.batchSize,
        // Only new audit records (the outbox); state and lock changes never wake the forwarder.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: {
              NewImage: { [TABLE.recordKindAttribute]: { S: FilterRule.isEqual(RecordKind.Audit) } },
            },
          }),
        ],
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        // Bounded, so a DataStorage outage longer than this ends in the audit DLQ, never blocks the shard for a day.
        retryAttempts: config.audit.retryAttempts,
        maxRecordAge: Duration.seconds(config.audit.maxRecordAgeSeconds),
        onFailure: new SqsDlq(queues.auditDlq),
        // One batch per shard at a time keeps each target's events in order.
        parallelizationFactor: 1,
      }),
    );
    this.auditForwarder.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AuditDeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [queues.auditDlq.queueArn],
      }),
    );
    if (config.audit.tokenSecretArn) {
      this.auditForwarder.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'DataStorageToken',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [config.audit.tokenSecretArn],
        }),
      );
    }
  }

  /** The default cluster's events token: with one cluster, its only one. */
  get eventsToken(): Secret {
    const secret = this.eventsTokens.get(this.defaultCluster);
    if (!secret) throw new Error(`no events token for ${this.defaultCluster}`);
    return secret;
  }

  /** Tekton cannot sign requests, so the sink is a public function URL whose path carries a token. */
  private createEventsTokens(config: InfraConfig): Map<string, Secret> {
    const token = (scope: Construct, id: string, tekton: string) => {
      const secret = new Secret(scope, id, {
        description: `wfe events sink: the token in the path ${tekton} posts CloudEvents to`,
        generateSecretString: { passwordLength: 40, excludePunctuation: true },
      });
      Validations.of(secret.node.defaultChild as CfnResource).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "The token sits in Tekton's config-events ConfigMap as part of the sink URL; rotating it means changing that ConfigMap at the same moment, which is an operator's step (infra/README.md), not a rotation Lambda's.",
      });
      return secret;
    };
    if (!config.fleet) return new Map([[this.defaultCluster, token(this, 'EventsToken', 'Tekton')]]);
    const scope = new Construct(this, 'EventsTokens');
    return new Map(config.fleet.clusters.map(({ name }) => [name, token(scope, name, `${name}'s Tekton`)]));
  }

  get all(): LambdaFunction[] {
    return [this.execute, this.reconcile, this.auditForwarder, this.events, this.eventsSink];
  }
}
