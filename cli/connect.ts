/**
 * Which system a `wfe` command talks to, and the clients for it. The AWS stack named by --stack or
 * WFE_STACK when one is named; else the local system when `wfe dev` runs in this checkout (found by
 * `.wfe/dev.json`); else the default stack. Everything a command needs from a deployment (table,
 * queues, execution namespace, cluster name, DataStorage) comes from the stack's outputs, never
 * from the operator's shell; only the credentials and the kubeconfig are the operator's own.
 */

import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { documentClient, executionTable } from '../functions/adapters/dynamodb/execution-table.js';
import { type TableListing, tableListing } from '../functions/adapters/dynamodb/listing.js';
import type { ClusterAccess } from '../functions/adapters/kubernetes/credentials.js';
import { systemClock } from '../functions/adapters/system-clock.js';
import type { FleetSettings } from '../functions/core/clusters.js';
import type { Cluster, ExecutionStore } from '../functions/core/ports.js';
import { StackOutput } from '../infra/outputs.js';
import { awsClientConfig } from './aws/client-config.js';
import { DEFAULT_STACK_NAME, readStackOutputs, requireOutput } from './aws/stack-outputs.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './command.js';
import { LOCAL_CREDENTIALS, type LocalSystemState, readLiveDevState } from './dev-state.js';

/** The flag every command that talks to a system takes. */
export const CONNECTION_OPTIONS = { stack: { type: 'string' } } as const;

export const CONNECTION_HELP = `  --stack NAME     the CloudFormation stack to use, even where a local system runs
                   (default: $WFE_STACK; else the local system, else ${DEFAULT_STACK_NAME})`;

export interface Connection {
  /** Where the command went, in words ("the local system (wfe dev, pid 4242)"). */
  where: string;
  local: boolean;
  store: ExecutionStore;
  listing: TableListing;
  /** The SQS client, created (and its module loaded) on first use. */
  sqs(): Promise<SQSClient>;
  queueUrl: string;
  auditDlqUrl: string;
  /** The clusters the deployment serves, each with its execution namespace, and the default one (WE-16). */
  settings: FleetSettings;
  dataStorage(): { url: string; token?: () => Promise<string> };
  /** The Kubernetes API of one of the deployment's clusters. */
  cluster(name: string): Promise<Cluster>;
  /** A cluster's events sink URL, its token included: a credential (WE-13, WE-16). */
  eventsSinkUrl(cluster: string): Promise<string>;
  /** Who is acting: the AWS caller identity, or the local OS user. */
  whoami(): Promise<string>;
  close(): void;
}

function lazySqs(config: SQSClientConfig) {
  let client: SQSClient | undefined;
  return {
    async get(): Promise<SQSClient> {
      const { SQSClient } = await import('@aws-sdk/client-sqs');
      client ??= new SQSClient(config);
      return client;
    },
    destroy: () => client?.destroy(),
  };
}

// The Kubernetes client, STS and Secrets Manager take seconds to load: only the commands that
// use them (release, audit redrive against AWS) pay for them.
async function connectCluster(access: ClusterAccess): Promise<Cluster> {
  return (await import('../functions/adapters/kubernetes/cluster.js')).connectCluster(access);
}

export async function connect(context: CliContext, flags: { stack?: string }): Promise<Connection> {
  const named = flags.stack || context.env.WFE_STACK;
  if (named) return awsConnection(context, named, true);
  const local = await readLiveDevState(context.cwd);
  if (local) return localConnection(local);
  return awsConnection(context, DEFAULT_STACK_NAME, false);
}

/** The local system's clusters: dev.json's list, else its one cluster. */
function localClusters(state: LocalSystemState) {
  return (
    state.clusters ?? [
      {
        name: state.cluster.clusterName,
        kubeconfig: state.cluster.kubeconfig,
        eventsUrl: state.events.sinkUrl,
      },
    ]
  );
}

function localCluster(state: LocalSystemState, name: string) {
  const found = localClusters(state).find((c) => c.name === name);
  if (!found)
    throw new CliError(
      `the local system has no cluster "${name}" (it runs ${localClusters(state)
        .map((c) => c.name)
        .join(', ')})`,
    );
  return found;
}

function localConnection(state: LocalSystemState): Connection {
  const common = { region: state.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: state.dynamodb.endpoint });
  const doc = documentClient(dynamodb);
  const sqs = lazySqs({ ...common, endpoint: state.sqs.endpoint });
  return {
    where: `the local system (wfe dev, pid ${state.pid})`,
    local: true,
    store: executionTable(state.dynamodb.tableName, systemClock, doc),
    listing: tableListing(state.dynamodb.tableName, doc),
    sqs: sqs.get,
    queueUrl: state.sqs.queueUrl,
    auditDlqUrl: state.sqs.auditDlqUrl,
    settings: {
      clusters: localClusters(state).map(({ name }) => ({ name, namespace: state.cluster.namespace })),
      defaultCluster: state.cluster.clusterName,
    },
    dataStorage: () => ({ url: state.dataStorage.url }),
    cluster: async (name) =>
      connectCluster({ mode: 'local', kubeconfigPath: localCluster(state, name).kubeconfig }),
    eventsSinkUrl: async (name) => localCluster(state, name).eventsUrl,
    whoami: async () => userInfo().username,
    close() {
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}

async function awsConnection(context: CliContext, stackName: string, named: boolean): Promise<Connection> {
  const { env } = context;
  let outputs: Awaited<ReturnType<typeof readStackOutputs>>;
  try {
    outputs = await readStackOutputs(awsClientConfig(env, 'CLOUDFORMATION'), stackName);
  } catch (err) {
    throw new CliError(
      named
        ? `the AWS stack "${stackName}" (named by ${context.env.WFE_STACK === stackName ? 'WFE_STACK' : '--stack'}) could not be read (${(err as Error).message})`
        : `no system to talk to: no \`npm start\` (wfe dev) runs in this checkout, and the AWS stack "${stackName}" could not be read (${(err as Error).message})`,
      { cause: err },
    );
  }
  const output = (key: StackOutput) => {
    try {
      return requireOutput(outputs, key, stackName);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  };
  const tableName = output(StackOutput.TableName);
  const queueUrl = output(StackOutput.QueueUrl);
  const auditDlqUrl = output(StackOutput.AuditDlqUrl);
  const dynamodb = new DynamoDBClient(awsClientConfig(env, 'DYNAMODB'));
  const doc = documentClient(dynamodb);
  const sqs = lazySqs(awsClientConfig(env, 'SQS'));
  const clusterNames = stackClusters(outputs, output, stackName).clusters.map((c) => c.name);
  return {
    where: `the AWS stack ${stackName}`,
    local: false,
    store: executionTable(tableName, systemClock, doc),
    listing: tableListing(tableName, doc),
    sqs: sqs.get,
    queueUrl,
    auditDlqUrl,
    settings: stackClusters(outputs, output, stackName),
    dataStorage() {
      const url = output(StackOutput.DataStorageUrl);
      const arn = outputs[StackOutput.DataStorageTokenSecretArn];
      if (!arn) return { url };
      const token = async () => {
        const { secretsManagerToken } = await import('../functions/adapters/datastorage/bearer-token.js');
        const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
        const client = new SecretsManagerClient(awsClientConfig(env, 'SECRETSMANAGER'));
        try {
          return await secretsManagerToken(arn, client)();
        } finally {
          client.destroy();
        }
      };
      return { url, token };
    },
    cluster(name) {
      if (!clusterNames.includes(name))
        throw new CliError(
          `the stack ${stackName} serves no cluster "${name}" (it serves ${clusterNames.join(', ')})`,
        );
      const fallback = join(homedir(), '.kube', 'config');
      const kubeconfigPath = env.KUBECONFIG || (existsSync(fallback) ? fallback : undefined);
      if (!kubeconfigPath)
        throw new CliError(
          `this needs access to the cluster: set KUBECONFIG (or have ~/.kube/config) for cluster ${name}, where the stack runs its PipelineRuns`,
        );
      return connectCluster({ mode: 'local', kubeconfigPath });
    },
    async eventsSinkUrl(cluster) {
      // The output ends in /tekton/; the cluster's token, from its secret, completes the path.
      const url = output(StackOutput.EventsSinkUrl);
      const arn = eventsTokenSecretArn(outputs, output, cluster, stackName);
      const { cachedEventsToken } = await import('../functions/adapters/secrets-manager/events-token.js');
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient(awsClientConfig(env, 'SECRETSMANAGER'));
      try {
        return `${url}${encodeURIComponent(await cachedEventsToken(arn, systemClock, client)())}`;
      } catch (err) {
        throw new CliError(`could not read the events sink's token (${arn}): ${(err as Error).message}`, {
          cause: err,
        });
      } finally {
        client.destroy();
      }
    },
    async whoami() {
      const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
      const sts = new STSClient(awsClientConfig(env, 'STS'));
      try {
        const out = await sts.send(new GetCallerIdentityCommand({}));
        if (!out.Arn) throw new Error('STS returned no ARN');
        return out.Arn;
      } catch (err) {
        throw new CliError(`could not read the AWS caller identity: ${(err as Error).message}`, {
          cause: err,
        });
      } finally {
        sts.destroy();
      }
    },
    close() {
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}

/** The names of the clusters a deployment serves: what a listing goes through unless --cluster narrows it. */
export const clusterNames = (settings: FleetSettings): string[] => settings.clusters.map((c) => c.name);

/** The default cluster's execution namespace: the namespace listings show unless told otherwise. */
export const defaultNamespace = (settings: FleetSettings): string =>
  settings.clusters.find((c) => c.name === settings.defaultCluster)?.namespace ??
  settings.clusters[0]!.namespace;

type Outputs = Record<string, string | undefined>;

/**
 * Each cluster's events token secret, from the output EventsTokenSecrets (JSON: cluster name →
 * secret ARN) of a stack serving several clusters; a stack serving one has EventsTokenSecretArn.
 */
function tokenSecrets(outputs: Outputs, stackName: string): Record<string, string> | undefined {
  const text = outputs[StackOutput.EventsTokenSecrets];
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const entries = Object.entries(parsed as Record<string, unknown>);
      if (entries.length > 0 && entries.every(([, arn]) => typeof arn === 'string'))
        return Object.fromEntries(entries) as Record<string, string>;
    }
  } catch {}
  throw new CliError(
    `the stack ${stackName}'s output ${StackOutput.EventsTokenSecrets} is not a JSON object of cluster name → secret ARN`,
  );
}

/**
 * The stack's clusters: the names of EventsTokenSecrets when it serves several, else ClusterName
 * alone; ClusterName is the default cluster. Their PipelineRuns are in ExecutionNamespace.
 */
function stackClusters(
  outputs: Outputs,
  output: (key: StackOutput) => string,
  stackName: string,
): FleetSettings {
  const defaultCluster = output(StackOutput.ClusterName);
  const namespace = output(StackOutput.ExecutionNamespace);
  const secrets = tokenSecrets(outputs, stackName);
  const names = secrets ? Object.keys(secrets) : [defaultCluster];
  return { clusters: names.map((name) => ({ name, namespace })), defaultCluster };
}

function eventsTokenSecretArn(
  outputs: Outputs,
  output: (key: StackOutput) => string,
  cluster: string,
  stackName: string,
): string {
  const secrets = tokenSecrets(outputs, stackName);
  if (!secrets) {
    const only = output(StackOutput.ClusterName);
    if (cluster !== only)
      throw new CliError(`the stack ${stackName} serves no cluster "${cluster}" (it serves ${only})`);
    return output(StackOutput.EventsTokenSecretArn);
  }
  const arn = secrets[cluster];
  if (!arn)
    throw new CliError(
      `the stack ${stackName} serves no cluster "${cluster}" (it serves ${Object.keys(secrets).join(', ')})`,
    );
  return arn;
}

/** Connects, runs `use`, and closes the clients whatever happens. */
export async function withConnection<T>(
  context: CliContext,
  flags: { stack?: string },
  use: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connect(context, flags);
  try {
    return await use(connection);
  } finally {
    connection.close();
  }
}
