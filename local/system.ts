/**
 * The whole system on one machine, wired the way AWS wires it (SPEC §5): DynamoDB Local with the
 * state table and its stream, a local SQS with the three queues, a cluster (the built-in Kubernetes
 * API with its Tekton simulator, or the one KUBECONFIG names; with WFE_CLUSTERS one built-in cluster
 * per name, WE-16), a DataStorage (built in, or
 * DATASTORAGE_URL), and the three real handlers behind local event sources: a queue poller for
 * execute, a schedule for reconcile, a stream poller for the audit forwarder.
 *
 * Settings come from the functions' own variables (functions/platform/config.ts), so a bad value
 * fails the same way, naming the variable. With a state directory, `.wfe/dev.json` tells `wfe`
 * commands where everything is, and the functions log to `.wfe/dev.log`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { executeConfig, forwarderConfig } from '../functions/platform/config.js';
import {
  createStateTable,
  type DynamoDbLocal,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from './aws/dynamodb-local.js';
import type { PollerErrorListener } from './aws/event-source.js';
import { startFunctionUrl } from './aws/function-url.js';
import { type LocalSqs, type QueueSettings, startLocalSqs } from './aws/sqs.js';
import { type DataStorage, startDataStorage } from './datastorage/server.js';
import { DEPLOYED } from './deployed-settings.js';
import { type DevState, removeDevState, writeDevState } from './dev-state.js';
import type { LogSink } from './file-logger.js';
import { startFunctions } from './functions.js';
import { type KubeApi, startKubeApi } from './kube-api/index.js';

type Env = Record<string, string | undefined>;

export interface LocalSystemOptions {
  /**
   * COOLDOWN_PERIOD, LOCK_LEASE, CLUSTER_NAME, …, KUBECONFIG, DATASTORAGE_URL, as the functions read
   * them; WFE_CLUSTERS, WFE_EVENTS_TOKEN and WFE_EVENTS_PORT for the local system itself.
   */
  env: Env;
  reconcileIntervalMs: number;
  /** Where dev.json, the built-in cluster's kubeconfig and dev.log go; without it nothing is written there. */
  stateDir?: string;
  /** The functions' log when there is no state directory (default: discarded). */
  log?: LogSink;
  /** `kubeApi` is the (first) built-in cluster's. */
  ports?: { dynamodb?: number; sqs?: number; kubeApi?: number; dataStorage?: number };
  /** Deliver the built-in simulator's CloudEvents to the sink (default true); false loses them all, leaving the sweep. */
  cloudEvents?: boolean;
  /** A DynamoDB to use instead of starting DynamoDB Local (tests share one). */
  dynamodbEndpoint?: string;
  tableName?: string;
  /** The built-in simulator's run time when a run does not ask for one (default 3 s). */
  runDurationMs?: number;
  queue?: Partial<QueueSettings> & { batchSize?: number; batchingWindowSeconds?: number };
  stream?: {
    retryAttempts?: number;
    maxRecordAgeMs?: number;
    retryBackoff?: { baseMs: number; maxMs: number };
  };
  onPollerError?: PollerErrorListener;
}

export type LocalEndpoints = Omit<DevState, 'version' | 'pid' | 'startedAt'>;

export interface LocalSystem {
  endpoints: LocalEndpoints;
  settings: { cooldownMs: number; leaseMs: number; reconcileIntervalMs: number };
  /** The built-in engines, when they were started (tests inject faults through them); kubeApi is the default cluster's. */
  kubeApi?: KubeApi;
  /** Every built-in cluster by name (one, unless WFE_CLUSTERS names several). */
  kubeApis: ReadonlyMap<string, KubeApi>;
  dataStorage?: DataStorage;
  stop(): Promise<void>;
}

export const DEFAULT_TABLE_NAME = 'wfe-state';
/** Stop waits this long for invocations in flight before closing the engines under them. */
const DRAIN_MS = 5000;

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The built-in clusters WFE_CLUSTERS names (WE-16), the first the default; undefined when it is unset,
 * for the one cluster of CLUSTER_NAME. A real cluster (KUBECONFIG) is only ever one.
 */
export function localClusterNames(env: Env): string[] | undefined {
  const text = env.WFE_CLUSTERS?.trim();
  if (!text) return undefined;
  const names = text.split(',').map((name) => name.trim());
  for (const name of names)
    if (!CLUSTER_NAME.test(name))
      throw new Error(
        `WFE_CLUSTERS must be comma-separated cluster names (DNS labels: lowercase letters, digits and dashes), got "${name}"`,
      );
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) throw new Error(`WFE_CLUSTERS names ${twice} twice`);
  if (env.KUBECONFIG)
    throw new Error(
      'WFE_CLUSTERS runs built-in clusters; KUBECONFIG names one real cluster: unset one of them',
    );
  return names;
}

/**
 * The sink token of each local cluster: WFE_EVENTS_TOKEN (default `local`) for the one cluster; with
 * WFE_CLUSTERS, `local-NAME`, except WFE_EVENTS_TOKEN for the default cluster when it is set.
 */
function localEventsTokens(env: Env, names: string[], several: boolean): Map<string, string> {
  return new Map(
    names.map((name, i) => [
      name,
      several ? (i === 0 && env.WFE_EVENTS_TOKEN) || `local-${name}` : env.WFE_EVENTS_TOKEN || 'local',
    ]),
  );
}

/** The functions' CLUSTERS for the built-in clusters (WE-16): each reached through its kubeconfig file. */
function localClustersEnv(clusters: { name: string; kubeconfig: string }[]): Env {
  return {
    CLUSTERS: JSON.stringify(clusters.map(({ name, kubeconfig }) => ({ name, auth: 'local', kubeconfig }))),
    DEFAULT_CLUSTER: clusters[0]?.name,
  };
}

/**
 * Reads the functions' settings from `env` before anything starts, so a bad COOLDOWN_PERIOD fails
 * in a moment rather than after DynamoDB Local has booted. The URLs are placeholders here. Returns
 * the clusters' names, the default first, the default's name, and whether WFE_CLUSTERS named them.
 */
export function checkLocalConfig(env: Env): { names: string[]; defaultCluster: string; several: boolean } {
  const names = localClusterNames(env);
  const placeholders = {
    TABLE_NAME: 'check',
    QUEUE_URL: 'http://127.0.0.1/q',
    DLQ_URL: 'http://127.0.0.1/d',
    AUDIT_DLQ_URL: 'http://127.0.0.1/a',
    TIMER_QUEUE_URL: 'http://127.0.0.1/t',
    ...(names
      ? localClustersEnv(names.map((name) => ({ name, kubeconfig: 'built-in' })))
      : { CLUSTER_AUTH: 'local', KUBECONFIG: env.KUBECONFIG || 'built-in' }),
  };
  const { execution } = executeConfig({ ...env, ...placeholders });
  forwarderConfig({ ...env, ...placeholders, DATASTORAGE_URL: env.DATASTORAGE_URL || 'http://127.0.0.1' });
  return {
    names: names ?? [execution.defaultCluster],
    defaultCluster: execution.defaultCluster,
    several: names !== undefined,
  };
}

/** Closers run last-started first; each failure is reported, none stops the others. */
class Closers {
  private readonly closers: { name: string; close: () => Promise<unknown> | unknown }[] = [];

  add(name: string, close: () => Promise<unknown> | unknown) {
    this.closers.push({ name, close });
  }

  async closeAll(onError: (err: unknown, name: string) => void): Promise<void> {
    for (const { name, close } of this.closers.reverse()) {
      try {
        await close();
      } catch (err) {
        onError(err, name);
      }
    }
    this.closers.length = 0;
  }
}

export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const { env } = options;
  const { names: clusterNames, several } = checkLocalConfig(env);
  // Locally, EMF metrics would only interleave with the progress view; the dashboard is AWS's.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const closers = new Closers();
  const stopping = new AbortController();
  let logStream: WriteStream | undefined;
  const ports = options.ports ?? {};
  const logLine = (line: string) => (logStream ?? options.log)?.write(line);
  const onPollerError: PollerErrorListener =
    options.onPollerError ??
    ((err, about) =>
      logLine(
        `${JSON.stringify({ level: 'WARN', source: about.source, message: about.detail, error: String((err as Error)?.message ?? err), timestamp: new Date().toISOString() })}\n`,
      ));

  try {
    let stateDir = options.stateDir;
    if (stateDir) {
      await mkdir(stateDir, { recursive: true });
      const file = join(stateDir, 'dev.log');
      logStream = createWriteStream(file, { flags: 'w' });
      const opened = logStream;
      closers.add('log', () => new Promise<void>((resolve) => opened.end(() => resolve())));
    } else {
      stateDir = await mkdtemp(join(tmpdir(), 'wfe-local-'));
      const temporary = stateDir;
      closers.add('state directory', () => rm(temporary, { recursive: true, force: true }));
    }
    const log: LogSink = { write: logLine };

    // The engines start side by side: DynamoDB Local's JVM takes seconds, the rest milliseconds.
    const externalKube = env.KUBECONFIG || undefined;
    const externalDataStorage = env.DATASTORAGE_URL || undefined;
    const builtIn = externalKube ? [] : clusterNames;
    const kubeStarts = builtIn.map((_, i) =>
      startKubeApi({
        port: i === 0 ? ports.kubeApi : undefined,
        simulator: { mode: 'auto', runDurationMs: options.runDurationMs ?? 3000 },
      }),
    );
    const kubeStarted = Promise.allSettled(kubeStarts);
    const started = await Promise.allSettled([
      options.dynamodbEndpoint
        ? Promise.resolve(undefined)
        : startDynamoDbLocal({ ...(ports.dynamodb ? { port: ports.dynamodb } : {}) }),
      startLocalSqs({ port: ports.sqs, settings: options.queue }),
      externalDataStorage ? Promise.resolve(undefined) : startDataStorage({ port: ports.dataStorage }),
    ]);
    const kubeResults = await kubeStarted;
    const [dynamoResult, sqsResult, dataStorageResult] = started;
    const dynamodbLocal: DynamoDbLocal | undefined =
      dynamoResult.status === 'fulfilled' ? dynamoResult.value : undefined;
    const sqs: LocalSqs | undefined = sqsResult.status === 'fulfilled' ? sqsResult.value : undefined;
    const dataStorage: DataStorage | undefined =
      dataStorageResult.status === 'fulfilled' ? dataStorageResult.value : undefined;
    const builtInApis = kubeResults.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    if (dynamodbLocal) closers.add('DynamoDB Local', () => dynamodbLocal.stop());
    if (sqs) closers.add('local SQS', () => sqs.close());
    builtInApis.forEach((api, i) => {
      if (api) closers.add(`built-in Kubernetes API${several ? ` ${builtIn[i]}` : ''}`, () => api.close());
    });
    if (dataStorage) closers.add('built-in DataStorage', () => dataStorage.close());
    const failed = [...started, ...kubeResults].find(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    if (failed) throw failed.reason;
    if (!sqs) throw new Error('local SQS did not start');

    const dynamodbEndpoint = options.dynamodbEndpoint ?? dynamodbLocal?.endpoint ?? '';
    const aws = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const dynamodb = new DynamoDBClient({ ...aws, endpoint: dynamodbEndpoint });
    const streams = new DynamoDBStreamsClient({ ...aws, endpoint: dynamodbEndpoint });
    const sqsClient = new SQSClient({ ...aws, endpoint: sqs.endpoint });
    closers.add('clients', () => {
      dynamodb.destroy();
      streams.destroy();
      sqsClient.destroy();
    });

    const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
    await createStateTable(dynamodb, tableName);
    const streamArn = await activeStreamArn(dynamodb, tableName);

    // One kubeconfig file per built-in cluster; the one cluster's keeps its name of `kubeconfig`.
    const kubeApis = new Map<string, KubeApi>();
    const clusterFiles = await Promise.all(
      clusterNames.map(async (name, i) => {
        const api = builtInApis[i];
        if (!api) return { name, kubeconfig: externalKube ?? '' };
        kubeApis.set(name, api);
        const kubeconfig = join(stateDir, several ? `kubeconfig-${name}` : 'kubeconfig');
        await writeFile(kubeconfig, api.kubeconfig(), { mode: 0o600 });
        return { name, kubeconfig };
      }),
    );
    const kubeconfig = clusterFiles[0]?.kubeconfig ?? '';
    const kubeApi = builtInApis[0];
    const tokens = localEventsTokens(env, clusterNames, several);
    const dataStorageUrl = externalDataStorage ?? dataStorage?.url ?? '';

    const functionEnv: Env = {
      ...env,
      TABLE_NAME: tableName,
      QUEUE_URL: sqs.requests.url,
      DLQ_URL: sqs.requestsDlq.url,
      AUDIT_DLQ_URL: sqs.auditDlq.url,
      TIMER_QUEUE_URL: sqs.timers.url,
      DATASTORAGE_URL: dataStorageUrl,
      ...(several ? localClustersEnv(clusterFiles) : { CLUSTER_AUTH: 'local', KUBECONFIG: kubeconfig }),
      AUDIT_BATCH_SIZE: env.AUDIT_BATCH_SIZE || String(DEPLOYED.audit.batchSize),
    };
    const functions = await startFunctions({
      env: functionEnv,
      clients: { dynamodb, streams, sqs: sqsClient },
      streamArn,
      auditDlqUrl: sqs.auditDlq.url,
      requests: sqs.requests,
      events: sqs.events,
      timers: sqs.timers,
      eventsTokens: tokens,
      log,
      stopping: stopping.signal,
      reconcileIntervalMs: options.reconcileIntervalMs,
      queue: options.queue,
      stream: options.stream,
      onPollerError,
    });
    const { pollers, settings } = functions;
    // Registered last, so it runs first: no invocation starts once the engines begin to close.
    closers.add('pollers', async () => {
      stopping.abort();
      const drained = Promise.all(pollers.map((p) => p.stop()));
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
    });
    // After the pollers, so it closes before them: no event enters once the system stops.
    const sinkServer = await startFunctionUrl({
      port: env.WFE_EVENTS_PORT ? Number(env.WFE_EVENTS_PORT) : undefined,
      functionName: 'wfe-events-sink',
      timeoutMs: DEPLOYED.timeoutsMs.eventsSink,
      handler: functions.eventsSink,
      stopping: () => stopping.signal.aborted,
    });
    closers.add('events sink', () => sinkServer.close());
    const clusters = clusterFiles.map(({ name, kubeconfig }) => ({
      name,
      kubeconfig,
      eventsUrl: `${sinkServer.url}/tekton/${encodeURIComponent(tokens.get(name) ?? '')}`,
    }));
    // Each built-in cluster's Tekton posts its CloudEvents with its own token, which names it (WE-16).
    if (options.cloudEvents !== false)
      for (const { name, eventsUrl } of clusters) kubeApis.get(name)?.cloudEvents.setSink(eventsUrl);
    const sinkUrl = clusters[0]?.eventsUrl ?? '';

    const endpoints: LocalEndpoints = {
      region: LOCAL_REGION,
      dynamodb: { endpoint: dynamodbEndpoint, tableName },
      sqs: {
        endpoint: sqs.endpoint,
        queueUrl: sqs.requests.url,
        dlqUrl: sqs.requestsDlq.url,
        auditDlqUrl: sqs.auditDlq.url,
        eventsQueueUrl: sqs.events.url,
        timerQueueUrl: sqs.timers.url,
      },
      events: { sinkUrl },
      clusters,
      cluster: {
        kubeconfig,
        builtIn: Boolean(kubeApi),
        namespace: settings.clusters.find((c) => c.name === settings.defaultCluster)!.namespace,
        clusterName: settings.defaultCluster,
      },
      dataStorage: { url: dataStorageUrl, builtIn: Boolean(dataStorage) },
      logFile: options.stateDir ? join(options.stateDir, 'dev.log') : '',
    };
    if (options.stateDir) {
      const dir = options.stateDir;
      await writeDevState(dir, {
        version: 1,
        pid: process.pid,
        startedAt: new Date().toISOString(),
        ...endpoints,
      });
      closers.add('dev.json', () => removeDevState(dir, process.pid));
    }

    let stopped: Promise<void> | undefined;
    return {
      endpoints,
      settings: {
        cooldownMs: settings.cooldownMs,
        leaseMs: settings.leaseMs,
        reconcileIntervalMs: options.reconcileIntervalMs,
      },
      ...(kubeApi ? { kubeApi } : {}),
      kubeApis,
      ...(dataStorage ? { dataStorage } : {}),
      stop() {
        stopped ??= closers.closeAll((err, name) => logLine(`stopping ${name} failed: ${String(err)}\n`));
        return stopped;
      },
    };
  } catch (err) {
    stopping.abort();
    await closers.closeAll(() => {});
    throw err;
  }
}

/** The table's stream, once the table is ACTIVE (DynamoDB Local creates it in a moment). */
async function activeStreamArn(dynamodb: DynamoDBClient, tableName: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE' && out.Table.LatestStreamArn) return out.Table.LatestStreamArn;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE with a stream`);
}
