/**
 * The engines a handler test runs against: a fresh table on DynamoDB Local, the built-in Kubernetes
 * API (manual Tekton simulator) reached through the real client, and one fixed clock shared by all.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { executionTable } from '../../functions/adapters/dynamodb/execution-table.js';
import { connectCluster } from '../../functions/adapters/kubernetes/cluster.js';
import type { Cluster } from '../../functions/core/ports.js';
import { fileLogger } from '../../local/file-logger.js';
import { type KubeApi, startKubeApi } from '../../local/kube-api/index.js';
import { type FakeClock, fixedClock } from '../fakes/clock.js';
import { createTestTable, type TestTable } from './dynamodb.js';

export interface Engines {
  table: TestTable;
  store: ReturnType<typeof executionTable>;
  kube: KubeApi;
  cluster: Cluster;
  clock: FakeClock;
  stop(): Promise<void>;
}

export async function startEngines(start = '2026-03-01T10:00:00Z'): Promise<Engines> {
  const clock = fixedClock(start);
  const table = await createTestTable();
  const kube = await startKubeApi({ clock: () => clock.now() });
  const dir = mkdtempSync(join(tmpdir(), 'wfe-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kube.kubeconfig());
  const cluster = await connectCluster({ mode: 'local', kubeconfigPath });
  return {
    table,
    store: executionTable(table.tableName, clock, table.doc),
    kube,
    cluster,
    clock,
    stop: async () => {
      await kube.close();
      table.client.destroy();
    },
  };
}

/** Enough of a Lambda context for middy and Powertools. */
export function lambdaContext(name = 'wfe-test', remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The functions' settings in the handler tests: the default namespace and account, a 10 s cooldown. */
export const ENGINE_SETTINGS = {
  clusters: [{ name: 'default', namespace: 'kubernaut-workflows' }],
  defaultCluster: 'default',
  serviceAccountName: 'kubernaut-workflow-runner',
  cooldownMs: 10_000,
  leaseMs: 15 * 60_000,
};

/** A function's logger and metrics that print only errors. */
export const quiet = (name: string) => ({
  logger: new Logger({ serviceName: name, logLevel: 'ERROR' }),
  metrics: new Metrics({ namespace: 'wfe-test', serviceName: name }),
});

/**
 * A function's logger and metrics whose lines (the logger's, and the warnings metrics give through
 * it) are kept as parsed JSON objects for a test to read.
 */
export function capturing(name: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = fileLogger(name, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { lines, logger, metrics: new Metrics({ namespace: 'wfe-test', serviceName: name, logger }) };
}
