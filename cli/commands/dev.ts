/**
 * `wfe dev` (what `npm start` runs): the whole system on this machine, the examples submitted, and
 * their progress shown live until Ctrl-C, which stops every engine and process it started.
 */
import { relative } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { documentClient, executionTable } from '../../functions/adapters/dynamodb/execution-table.js';
import { tableListing } from '../../functions/adapters/dynamodb/listing.js';
import { systemClock } from '../../functions/adapters/system-clock.js';
import { parseDuration } from '../../functions/core/duration.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { pause } from '../../local/aws/event-source.js';
import { checkLocalConfig, type LocalSystem, startLocalSystem } from '../../local/system.js';
import { CliError, UsageError } from '../cli-error.js';
import { type CliContext, type Command, noPositionals, parseCommandLine } from '../command.js';
import { configEventsPatch } from '../config-events.js';
import {
  type Example,
  type ExampleSubmitter,
  examplesFor,
  loadExamples,
  startExampleSubmitter,
} from '../dev/examples.js';
import { ProgressTracker } from '../dev/progress.js';
import { ProgressView } from '../dev/progress-view.js';
import { LOCAL_CREDENTIALS, runningDevPid, stateDirFor } from '../dev-state.js';

const OPTIONS = {
  'no-examples': { type: 'boolean' },
  'run-duration': { type: 'string' },
  'dynamodb-port': { type: 'string' },
  'sqs-port': { type: 'string' },
  'kube-port': { type: 'string' },
  'datastorage-port': { type: 'string' },
} as const;

/** With the examples on, short enough that all of them reach their end within a minute. */
const EXAMPLE_DEFAULTS = { COOLDOWN_PERIOD: '10s', RECONCILE_INTERVAL: '2s' } as const;
const DEPLOYED_RECONCILE_INTERVAL = '1m';
const REFRESH_MS = 500;

function port(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--${flag} must be a port number, got "${value}"`);
  return n;
}

function durationFlag(name: string, value: string, minMs: number): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < minMs)
    throw new CliError(`${name} must be a duration such as 2s or 1m (at least ${minMs}ms), got "${value}"`);
  return ms;
}

export const dev: Command = {
  name: 'dev',
  options: OPTIONS,
  help: `Usage: wfe dev [--no-examples] [--run-duration D] [--dynamodb-port N] [--sqs-port N]
               [--kube-port N] [--datastorage-port N]

Runs the whole system on this machine (what \`npm start\` runs): DynamoDB Local (needs Java 17+)
with the state table and its stream, a local SQS with the request, events and timer queues and the
dead-letter queues, the five functions behind local event sources (queue pollers, reconcile
schedule, stream poller, and Tekton's CloudEvents sink on a local function URL, printed at
start-up), a cluster and a DataStorage. It submits the manifests in examples/ and shows their
progress live, one line per execution. \`wfe\` commands run in this checkout use it while it runs.
Ctrl-C stops everything.

Cluster: the built-in Kubernetes API with a Tekton simulator, or the cluster KUBECONFIG names
(start-up prints the kubectl command that points its Tekton at the sink).
Several clusters (WE-16): WFE_CLUSTERS=east,west starts a built-in Kubernetes API per name, the
first the default cluster; each posts its CloudEvents with its own token (local-NAME, or
WFE_EVENTS_TOKEN for the first). KUBECONFIG is always one real cluster, without WFE_CLUSTERS.
DataStorage: the built-in one, or DATASTORAGE_URL.
Settings: the functions' variables (COOLDOWN_PERIOD, LOCK_LEASE, CLUSTER_NAME, EXECUTION_NAMESPACE,
SERVICE_ACCOUNT_NAME, AUDIT_BATCH_SIZE, …), RECONCILE_INTERVAL (the schedule; default 1m), and
WFE_EVENTS_PORT, WFE_EVENTS_TOKEN (the sink's port and the token its path ends with; default a free
port and "local").
With the examples on and nothing set, COOLDOWN_PERIOD=${EXAMPLE_DEFAULTS.COOLDOWN_PERIOD} and RECONCILE_INTERVAL=${EXAMPLE_DEFAULTS.RECONCILE_INTERVAL}, e.g.
  COOLDOWN_PERIOD=20s npm start

Options:
  --no-examples         do not submit the examples
  --run-duration D      how long a simulated run takes unless it asks otherwise (default 3s)
  --dynamodb-port N, --sqs-port N, --kube-port N, --datastorage-port N
                        fixed ports (default: free ones)
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('dev', argv, OPTIONS);
    noPositionals('dev', positionals);
    const signal = context.stopSignal();
    const withExamples = !values['no-examples'];
    const ports = {
      dynamodb: port('dynamodb-port', values['dynamodb-port']),
      sqs: port('sqs-port', values['sqs-port']),
      kubeApi: port('kube-port', values['kube-port']),
      dataStorage: port('datastorage-port', values['datastorage-port']),
    };
    const runDurationMs = values['run-duration']
      ? durationFlag('--run-duration', values['run-duration'], 0)
      : 3000;

    const running = await runningDevPid(context.cwd);
    if (running) throw new CliError(`wfe dev already runs in this checkout (pid ${running}); stop it first`);

    const env = { ...context.env };
    const defaulted: string[] = [];
    if (withExamples) {
      for (const [name, value] of Object.entries(EXAMPLE_DEFAULTS)) {
        if (env[name]) continue;
        env[name] = value;
        defaulted.push(`${name}=${value}`);
      }
    }
    const intervalText = env.RECONCILE_INTERVAL || DEPLOYED_RECONCILE_INTERVAL;
    const reconcileIntervalMs = durationFlag('RECONCILE_INTERVAL', intervalText, 100);
    // The examples' cluster: a request without the label goes to the default cluster (WE-16).
    const { defaultCluster } = checkLocalConfig(env);
    const allExamples = withExamples ? await loadExamples(defaultCluster) : [];

    const out = context.out;
    if (defaulted.length > 0)
      out.write(`wfe dev: ${defaulted.join(', ')} (the examples' defaults; set them to change)\n`);
    const clusters = env.KUBECONFIG
      ? 'the cluster in KUBECONFIG'
      : env.WFE_CLUSTERS
        ? `a built-in Kubernetes API per cluster of WFE_CLUSTERS (${env.WFE_CLUSTERS})`
        : 'the built-in Kubernetes API';
    out.write(
      `wfe dev: starting DynamoDB Local, local SQS, ${clusters}, ${env.DATASTORAGE_URL ? 'DataStorage at DATASTORAGE_URL' : 'the built-in DataStorage'}…\n`,
    );
    const stateDir = stateDirFor(context.cwd);
    const startedAt = Date.now();
    let system: LocalSystem;
    try {
      system = await startLocalSystem({ env, reconcileIntervalMs, stateDir, ports, runDurationMs });
    } catch (err) {
      // Ctrl-C in a terminal reaches DynamoDB Local's JVM too, which then "fails" to start.
      if (!signal.aborted) throw err;
      out.write('wfe dev: stopped before it was up\n');
      return 0;
    }
    try {
      if (signal.aborted) return 0;
      const examples = examplesFor(
        allExamples,
        system.endpoints.clusters.map((c) => c.name),
      );
      out.write(header(system, context, examples, runDurationMs, startedAt));
      await watch(system, examples, context, signal, startedAt);
      return 0;
    } finally {
      out.write('wfe dev: stopping…\n');
      await system.stop();
      out.write('wfe dev: stopped; every engine it started is closed\n');
    }
  },
};

function header(
  system: LocalSystem,
  context: CliContext,
  examples: Example[],
  runDurationMs: number,
  startedAt: number,
): string {
  const e = system.endpoints;
  const here = (path: string) => relative(context.cwd, path) || path;
  const queueName = (url: string) => url.slice(url.lastIndexOf('/') + 1);
  const simulated = `Tekton simulator, runs take ${runDurationMs / 1000}s unless WFE_SIMULATE_DURATION says otherwise`;
  // Several built-in clusters (WFE_CLUSTERS, WE-16): a line each, with the sink URL its Tekton posts to.
  const several = e.clusters.length > 1;
  const cluster = several
    ? `${e.clusters.length} built-in Kubernetes APIs (${simulated}; requests name theirs in the label kubernaut.ai/cluster, else ${e.cluster.clusterName}):${e.clusters
        .map(
          (c) =>
            `\n    ${c.name.padEnd(12)}${system.kubeApis.get(c.name)?.url}   kubeconfig ${here(c.kubeconfig)}   events ${c.eventsUrl}`,
        )
        .join('')}`
    : e.cluster.builtIn
      ? `built-in Kubernetes API ${system.kubeApi?.url} (${simulated}); kubeconfig ${here(e.cluster.kubeconfig)}`
      : `KUBECONFIG ${e.cluster.kubeconfig}`;
  const dataStorage = e.dataStorage.builtIn
    ? `built-in ${e.dataStorage.url}`
    : `${e.dataStorage.url} (DATASTORAGE_URL)`;
  const s = system.settings;
  const first = examples[0] ? executionKey(examples[0].id) : 'NAMESPACE/NAME';
  return `wfe dev: up in ${((Date.now() - startedAt) / 1000).toFixed(1)}s (pid ${process.pid})
  DynamoDB Local  ${e.dynamodb.endpoint}   table ${e.dynamodb.tableName} (stream → audit-forwarder)
  SQS             ${e.sqs.endpoint}   ${queueName(e.sqs.queueUrl)} → execute; DLQ ${queueName(e.sqs.dlqUrl)}; audit DLQ ${queueName(e.sqs.auditDlqUrl)}
  ${several ? 'clusters       ' : 'cluster        '} ${cluster}
  DataStorage     ${dataStorage}   (audit trail: GET /api/v1/audit/events?correlation_id=…)
  events sink     ${several ? "each cluster's URL above (its token names the cluster)" : eventsSinkLines(e.events.sinkUrl, !e.cluster.builtIn)}
  settings        cooldown ${s.cooldownMs / 1000}s, lock lease ${s.leaseMs / 1000}s, reconcile every ${s.reconcileIntervalMs / 1000}s, namespace ${e.cluster.namespace}, ${several ? 'default cluster' : 'cluster name'} ${e.cluster.clusterName}
  function logs   ${e.logFile ? here(e.logFile) : '(none)'}
In another terminal in this checkout:  npx wfe list -A  ·  npx wfe locks  ·  npx wfe get ${first} -o yaml  ·  npx wfe submit -f FILE
${examples.length > 0 ? `Submitting ${examples.length} examples from examples/.` : 'No examples (--no-examples): submit with npx wfe submit -f FILE.'}

`;
}

/**
 * Where Tekton's CloudEvents go (→ the events function; lock timers on the timer queue). The
 * built-in cluster sends there by itself; a real one is pointed at it with one command, and must
 * reach the address: the events only make the system quicker, the sweep works without them.
 */
export function eventsSinkLines(sinkUrl: string, externalCluster: boolean): string {
  if (!externalCluster) return `${sinkUrl}   (the built-in cluster's CloudEvents → events)`;
  return `${sinkUrl}   (CloudEvents → events) — to point the cluster's Tekton at it (it must reach this address; without events the sweep alone follows the runs):
    ${configEventsPatch(sinkUrl)}`;
}

async function watch(
  system: LocalSystem,
  examples: Example[],
  context: CliContext,
  signal: AbortSignal,
  startedAt: number,
): Promise<void> {
  const e = system.endpoints;
  const aws = { region: e.region, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...aws, endpoint: e.dynamodb.endpoint });
  const sqs = new SQSClient({ ...aws, endpoint: e.sqs.endpoint });
  const doc = documentClient(dynamodb);
  let submitter: ExampleSubmitter | undefined;
  try {
    submitter = startExampleSubmitter({
      examples,
      store: executionTable(e.dynamodb.tableName, systemClock, doc),
      submit: async (manifest) => {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: e.sqs.queueUrl, MessageBody: JSON.stringify(manifest) }),
        );
      },
      onError: (err, example) =>
        context.err.write(`wfe dev: submitting ${example.file} failed: ${(err as Error).message}\n`),
    });
    const active = submitter;
    const tracker = new ProgressTracker({
      listing: tableListing(e.dynamodb.tableName, doc),
      clusters: e.clusters.map((c) => c.name),
      dataStorageUrl: e.dataStorage.url,
      examples,
      waiting: () => active.waiting(),
      now: () => new Date(),
    });
    const view = new ProgressView(context.out, startedAt);
    while (!signal.aborted) {
      try {
        view.render(await tracker.snapshot());
      } catch (err) {
        if (signal.aborted) break;
        view.release();
        context.err.write(`wfe dev: reading progress failed: ${(err as Error).message}\n`);
      }
      await pause(REFRESH_MS, signal);
    }
  } finally {
    await submitter?.stop();
    dynamodb.destroy();
    sqs.destroy();
  }
}
