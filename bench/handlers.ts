/**
 * The production handlers wired for the bench: injected store, cluster, queue and clock, quiet
 * Powertools (logs at ERROR; EMF metrics are off, as in `wfe dev`), real-shaped SQS events and a
 * Lambda context with the deployed timeouts.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Clock, Cluster, ExecutionStore, RequestQueue, SweepQueue } from '../functions/core/ports.js';
import { depsFromEnv as executeDeps } from '../functions/execute/deps.js';
import { createHandler as createExecute } from '../functions/execute/handler.js';
import { depsFromEnv as reconcileDeps } from '../functions/reconcile/deps.js';
import { createHandler as createReconcile } from '../functions/reconcile/handler.js';
import { lambdaContext } from '../local/aws/lambda-context.js';
import { DEPLOYED } from '../local/deployed-settings.js';

export const NAMESPACE = 'kubernaut-workflows';

// Metrics would print an EMF blob per invocation into the table; AWS's dashboard is not here.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function quiet(service: string) {
  const logger = new Logger({ serviceName: service, logLevel: 'ERROR' });
  // Metrics warns through its logger when an invocation recorded none; at ERROR that stays quiet.
  return { logger, metrics: new Metrics({ namespace: 'wfe-bench', serviceName: service, logger }) };
}

/**
 * The functions' environment as deployed, with the bench's cooldown. The store, cluster and queue it
 * names are replaced by the bench's own (Wiring), so those values are never reached.
 */
export function benchEnv(cooldownMs: number): Record<string, string> {
  return {
    TABLE_NAME: 'wfe-bench',
    QUEUE_URL: 'http://bench.invalid/wfe-requests',
    DLQ_URL: 'http://bench.invalid/wfe-requests-dlq',
    KUBECONFIG: 'bench-cluster',
    EXECUTION_NAMESPACE: NAMESPACE,
    COOLDOWN_PERIOD: `${cooldownMs}ms`,
  };
}

/** Deferrals and dead letters are dropped, and counted (the lifecycle and throughput runs expect none). */
export function countingQueue(): RequestQueue & { deferred: number; deadLettered: number } {
  const queue = {
    deferred: 0,
    deadLettered: 0,
    async defer() {
      queue.deferred++;
    },
    async deadLetter() {
      queue.deadLettered++;
      return `dead-letter-${queue.deadLettered}`;
    },
  };
  return queue;
}

export interface Wiring {
  store: ExecutionStore;
  cluster: Cluster;
  clock: Clock;
  cooldownMs: number;
  /** Waits in place, as deployed (functions/execute/handler.ts); only real-clock runs give it. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A new handler instance per caller: Powertools' BatchProcessor keeps the batch on the instance, so
 * one instance must not run two invocations at once (Lambda never does that either).
 */
export async function executeHandler(w: Wiring, queue: RequestQueue = countingQueue()) {
  const handler = createExecute(
    await executeDeps(benchEnv(w.cooldownMs), {
      store: w.store,
      clusters: () => w.cluster,
      queue,
      clock: w.clock,
      sleep: w.sleep,
      observability: quiet('execute'),
    }),
  );
  const invoke = (bodies: string[]) =>
    handler(
      sqsEvent(bodies),
      lambdaContext('wfe-execute', DEPLOYED.timeoutsMs.execute, () => false),
    );
  return { handler, invoke };
}

/**
 * With `sweeps`, the schedule fans the shards out to it as deployed, and `sweepShard` is the sweep
 * queue's invocation for one of its messages.
 */
export async function reconcileHandler(w: Wiring, sweeps?: SweepQueue) {
  const deps = await reconcileDeps(benchEnv(w.cooldownMs), {
    store: w.store,
    clusters: () => w.cluster,
    clock: w.clock,
    observability: quiet('reconcile'),
  });
  const handler = createReconcile(sweeps ? { ...deps, sweeps } : deps);
  const context = () => lambdaContext('wfe-reconcile', DEPLOYED.timeoutsMs.reconcile, () => false);
  const tick = () => handler({}, context());
  const sweepShard = (body: string) => handler(sqsEvent([body]), context());
  return { handler, tick, sweepShard };
}

/** A WorkflowExecution request as a user would send it (SPEC §2). */
export function requestBody(name: string, target: string): string {
  return JSON.stringify({
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: { name, namespace: 'default', labels: { 'kubernaut.ai/correlation-id': `rr-${name}` } },
    spec: {
      workflowRef: {
        workflowId: 'increase-memory-limit',
        version: 'v1.2.0',
        containerImage: 'quay.io/kubernaut/workflows/increase-memory@sha256:abc123',
      },
      targetResource: target,
      parameters: { NEW_MEMORY_LIMIT: '1Gi', NAMESPACE: 'payment' },
      confidence: 0.92,
    },
  });
}

export function sqsEvent(bodies: string[]): SQSEvent {
  const now = String(Date.now());
  const records: SQSRecord[] = bodies.map((body) => {
    const messageId = randomUUID();
    return {
      messageId,
      receiptHandle: `bench-${messageId}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: now,
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:wfe-requests',
      awsRegion: 'us-east-1',
    };
  });
  return { Records: records };
}

/** Splits into batches of at most `size` (SQS delivers at most 10 per invocation). */
export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
