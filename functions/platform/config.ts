/**
 * The functions' configuration (SPEC §4), read once from the environment at start-up.
 * A missing or invalid value fails with a message that names the variable.
 */
import * as z from 'zod/mini';
import type { ClusterAccess } from '../adapters/kubernetes/credentials.js';
import type { ClusterSettings } from '../core/clusters.js';
import { CLUSTER_NAME } from '../core/clusters.js';
import { parseDuration } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';

type Env = Record<string, string | undefined>;

/** A problem found while turning a value into a setting (zod/mini's transforms take the raw payload). */
const problem = (ctx: z.core.ParsePayload, input: unknown, message: string) => {
  ctx.issues.push({ code: 'custom', message, input });
  return z.NEVER;
};

const duration = (name: string, fallback: string, minMs: number) =>
  z.pipe(
    z._default(z.string(), fallback),
    z.transform((text: string, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms < minMs)
        return problem(
          ctx,
          text,
          `${name} must be a duration such as 5m or 30s (at least ${minMs / 1000}s), got "${text}"`,
        );
      return ms;
    }),
  );

const url = (name: string) => z.url({ message: `${name} must be a URL` });

/** A comma-separated list; unset or empty leaves the default to the rule that reads it. */
const list = (name: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((text: string | undefined, ctx) => {
      const items = (text ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (text !== undefined && text.trim() !== '' && items.length === 0)
        return problem(ctx, text, `${name} must be a comma-separated list`);
      return items.length > 0 ? items : undefined;
    }),
  );

const nonEmpty = () => z.optional(z.string().check(z.minLength(1, 'must not be empty')));

const clusterAccess = z.pipe(
  z.object({
    CLUSTER_AUTH: z.optional(z.enum(['eks', 'kubeconfig', 'local'])),
    EKS_CLUSTER_NAME: nonEmpty(),
    KUBECONFIG_SECRET_ARN: nonEmpty(),
    KUBECONFIG: nonEmpty(),
  }),
  z.transform((v, ctx): ClusterAccess => {
    const mode = v.CLUSTER_AUTH ?? (v.KUBECONFIG ? 'local' : undefined);
    if (mode === 'eks') {
      if (!v.EKS_CLUSTER_NAME) problem(ctx, v, 'EKS_CLUSTER_NAME is required when CLUSTER_AUTH=eks');
      return { mode, clusterName: v.EKS_CLUSTER_NAME ?? '' } as const;
    }
    if (mode === 'kubeconfig') {
      if (!v.KUBECONFIG_SECRET_ARN)
        problem(ctx, v, 'KUBECONFIG_SECRET_ARN is required when CLUSTER_AUTH=kubeconfig');
      return { mode, secretArn: v.KUBECONFIG_SECRET_ARN ?? '' } as const;
    }
    if (mode === 'local') {
      if (!v.KUBECONFIG) problem(ctx, v, 'KUBECONFIG is required when CLUSTER_AUTH=local');
      return { mode, kubeconfigPath: v.KUBECONFIG ?? '' } as const;
    }
    return problem(
      ctx,
      v,
      'cluster access is not configured: set CLUSTER_AUTH=eks with EKS_CLUSTER_NAME, CLUSTER_AUTH=kubeconfig with KUBECONFIG_SECRET_ARN, or KUBECONFIG',
    );
  }),
);

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DEFAULT_NAMESPACE = 'kubernaut-workflows';

const execution = z.pipe(
  z.object({
    EXECUTION_NAMESPACE: z._default(
      z.string().check(z.regex(NAMESPACE, 'EXECUTION_NAMESPACE must be a namespace name')),
      DEFAULT_NAMESPACE,
    ),
    SERVICE_ACCOUNT_NAME: z._default(
      z.string().check(z.minLength(1, 'SERVICE_ACCOUNT_NAME must not be empty')),
      'kubernaut-workflow-runner',
    ),
    ALLOWED_SERVICE_ACCOUNTS: list('ALLOWED_SERVICE_ACCOUNTS'),
    ALLOWED_BUNDLE_PREFIXES: list('ALLOWED_BUNDLE_PREFIXES'),
    COOLDOWN_PERIOD: duration('COOLDOWN_PERIOD', '5m', 1000),
    LOCK_LEASE: duration('LOCK_LEASE', '15m', 1000),
  }),
  z.transform((v) => ({
    namespace: v.EXECUTION_NAMESPACE,
    serviceAccountName: v.SERVICE_ACCOUNT_NAME,
    cooldownMs: v.COOLDOWN_PERIOD,
    leaseMs: v.LOCK_LEASE,
    // Absent when unset: the guardrail rule holds the defaults (functions/core/guardrails.ts).
    ...(v.ALLOWED_SERVICE_ACCOUNTS
      ? { allowedServiceAccounts: v.ALLOWED_SERVICE_ACCOUNTS as readonly string[] }
      : {}),
    ...(v.ALLOWED_BUNDLE_PREFIXES
      ? { allowedBundlePrefixes: v.ALLOWED_BUNDLE_PREFIXES as readonly string[] }
      : {}),
  })),
);

/** One cluster as configured (WE-16): what the core knows of it, and how the wiring reaches it. */
export interface ClusterConfig extends ClusterSettings {
  access: ClusterAccess;
  /** The secret holding the token its Tekton's CloudEvents carry (WE-13). */
  eventsTokenSecretArn?: string;
}

export interface Fleet<C> {
  clusters: C[];
  defaultCluster: string;
}

/** An entry of CLUSTERS, its fields as the contract names them. */
const clusterEntry = z.object({
  name: z.string(),
  auth: z.enum(['eks', 'kubeconfig', 'local']),
  eksClusterName: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  kubeconfigSecretArn: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  kubeconfig: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  namespace: z.optional(z.string().check(z.regex(NAMESPACE, 'must be a namespace name'))),
  eventsTokenSecretArn: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
});
type ClusterEntry = z.output<typeof clusterEntry>;

/** The access an entry of CLUSTERS gives, or what it lacks. */
function entryAccess(entry: ClusterEntry): ClusterAccess | string {
  if (entry.auth === 'eks')
    return entry.eksClusterName
      ? { mode: 'eks', clusterName: entry.eksClusterName }
      : 'eksClusterName is required when auth is "eks"';
  if (entry.auth === 'kubeconfig')
    return entry.kubeconfigSecretArn
      ? { mode: 'kubeconfig', secretArn: entry.kubeconfigSecretArn }
      : 'kubeconfigSecretArn is required when auth is "kubeconfig"';
  return entry.kubeconfig
    ? { mode: 'local', kubeconfigPath: entry.kubeconfig }
    : 'kubeconfig (a path) is required when auth is "local"';
}

const invalid = (message: string) => new ConfigError(`invalid configuration: ${message}`);

/**
 * The clusters the deployment serves (WE-16): CLUSTERS, a JSON array, and DEFAULT_CLUSTER (else the
 * first). Unset CLUSTERS is one cluster made of the single-cluster variables, so a deployment that
 * predates the list keeps working. `access` says whether to read how each is reached (the events
 * sink reaches none).
 */
function fleetOf(env: Env, access: true): Fleet<ClusterConfig>;
function fleetOf(env: Env, access: false): Fleet<Omit<ClusterConfig, 'access'>>;
function fleetOf(
  env: Env,
  access: boolean,
): Fleet<Omit<ClusterConfig, 'access'> & { access?: ClusterAccess }> {
  const namespace = parse(execution, env).namespace;
  if (env.CLUSTERS === undefined) {
    const name = env.CLUSTER_NAME || env.EKS_CLUSTER_NAME || 'default';
    return {
      clusters: [
        {
          name,
          namespace,
          ...(access ? { access: parse(clusterAccess, env) } : {}),
          ...(env.EVENTS_TOKEN_SECRET_ARN ? { eventsTokenSecretArn: env.EVENTS_TOKEN_SECRET_ARN } : {}),
        },
      ],
      defaultCluster: name,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(env.CLUSTERS);
  } catch {
    throw invalid('CLUSTERS must be a JSON array of clusters');
  }
  if (!Array.isArray(raw) || raw.length === 0)
    throw invalid('CLUSTERS must be a JSON array of at least one cluster');
  const seen = new Set<string>();
  const clusters = raw.map((item, i) => {
    const label = `CLUSTERS entry ${i + 1}${typeof item?.name === 'string' ? ` ("${item.name}")` : ''}`;
    const parsed = clusterEntry.safeParse(item);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) =>
        issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
      );
      throw invalid(`${label}: ${problems.join('; ')}`);
    }
    const entry = parsed.data;
    if (!CLUSTER_NAME.test(entry.name))
      throw invalid(`${label}: name must be a DNS label (lower-case letters, digits and "-", at most 63)`);
    if (seen.has(entry.name)) throw invalid(`${label}: name is listed twice`);
    seen.add(entry.name);
    const reach = access ? entryAccess(entry) : undefined;
    if (typeof reach === 'string') throw invalid(`${label}: ${reach}`);
    return {
      name: entry.name,
      namespace: entry.namespace ?? namespace,
      ...(reach ? { access: reach } : {}),
      ...(entry.eventsTokenSecretArn ? { eventsTokenSecretArn: entry.eventsTokenSecretArn } : {}),
    };
  });
  const defaultCluster = env.DEFAULT_CLUSTER || clusters[0]!.name;
  if (!seen.has(defaultCluster))
    throw invalid(`DEFAULT_CLUSTER "${defaultCluster}" is not a name in CLUSTERS (${[...seen].join(', ')})`);
  return { clusters, defaultCluster };
}

/** The core's settings: the execution settings, and the clusters as the core knows them (no access). */
function executionSettings(env: Env, fleet: Fleet<ClusterConfig>) {
  const { namespace: _default, ...rest } = parse(execution, env);
  return {
    ...rest,
    clusters: fleet.clusters.map(({ name, namespace }): ClusterSettings => ({ name, namespace })),
    defaultCluster: fleet.defaultCluster,
  };
}

const table = z.object({
  TABLE_NAME: z.string({ message: 'TABLE_NAME is required' }).check(z.minLength(1, 'TABLE_NAME is required')),
});

/** Where lock timers go (WE-13). Unset: no timers, and the minute sweep alone frees locks. */
const timerQueue = z.object({ TIMER_QUEUE_URL: z.optional(url('TIMER_QUEUE_URL')) });
/** Unset: the schedule's invocation sweeps every shard itself, one after another. */
const sweepQueue = z.object({ SWEEP_QUEUE_URL: z.optional(url('SWEEP_QUEUE_URL')) });

function parse<T extends z.ZodMiniType>(schema: T, env: Env): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) =>
    i.path.length > 0 && !i.message.includes(String(i.path[0]))
      ? `${String(i.path[0])}: ${i.message}`
      : i.message,
  );
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

export function executeConfig(env: Env) {
  const base = parse(
    z.extend(table, {
      QUEUE_URL: url('QUEUE_URL'),
      DLQ_URL: url('DLQ_URL'),
    }),
    env,
  );
  return {
    tableName: base.TABLE_NAME,
    queueUrl: base.QUEUE_URL,
    dlqUrl: base.DLQ_URL,
    timerQueueUrl: parse(timerQueue, env).TIMER_QUEUE_URL,
    ...withFleet(env),
  };
}

/** The clusters, as the wiring reaches them and as the core's settings name them. */
function withFleet(env: Env) {
  const fleet = fleetOf(env, true);
  return { clusters: fleet.clusters, execution: executionSettings(env, fleet) };
}

/**
 * How much one sweep reads (one shard from the sweep queue, or every shard when there is no queue):
 * pages of the due index, at most so many running executions synced and, on its own budget, so many
 * due locks settled, so a sweep of a large backlog ends inside the function's timeout, the next
 * resumes where it stopped (stored per shard), and release is never starved by sync.
 */
const RECONCILE_BUDGET = { pageSize: 100, maxItems: 2000, maxReleases: 2000 } as const;

export function reconcileConfig(env: Env) {
  return {
    tableName: parse(table, env).TABLE_NAME,
    timerQueueUrl: parse(timerQueue, env).TIMER_QUEUE_URL,
    sweepQueueUrl: parse(sweepQueue, env).SWEEP_QUEUE_URL,
    ...withFleet(env),
    budget: RECONCILE_BUDGET,
  };
}

/** The events consumer (WE-13): the timer queue takes its timers and its re-checks, so it is required. */
export function eventsConfig(env: Env) {
  const v = parse(z.extend(table, { TIMER_QUEUE_URL: url('TIMER_QUEUE_URL') }), env);
  return {
    tableName: v.TABLE_NAME,
    timerQueueUrl: v.TIMER_QUEUE_URL,
    ...withFleet(env),
  };
}

/**
 * The events sink (WE-13): where events go, and each cluster's secret holding the token its path
 * carries (required by the sink's wiring unless token sources are given instead, as `wfe dev` does).
 */
export function eventsSinkConfig(env: Env) {
  const v = parse(
    z.object({
      EVENTS_QUEUE_URL: url('EVENTS_QUEUE_URL'),
      EVENTS_TOKEN_SECRET_ARN: nonEmpty(),
    }),
    env,
  );
  const fleet = fleetOf(env, false);
  return {
    eventsQueueUrl: v.EVENTS_QUEUE_URL,
    tokenSecretArns: fleet.clusters.map(({ name, eventsTokenSecretArn }) => ({
      cluster: name,
      secretArn: eventsTokenSecretArn,
    })),
  };
}

export function forwarderConfig(env: Env) {
  const v = parse(
    z.object({
      DATASTORAGE_URL: url('DATASTORAGE_URL'),
      DATASTORAGE_TOKEN_SECRET_ARN: nonEmpty(),
      AUDIT_DLQ_URL: url('AUDIT_DLQ_URL'),
      AUDIT_BATCH_SIZE: z._default(
        z.coerce
          .number()
          .check(
            z.int('AUDIT_BATCH_SIZE must be a whole number'),
            z.gte(1, 'AUDIT_BATCH_SIZE must be at least 1'),
            z.lte(1000, 'AUDIT_BATCH_SIZE must be at most 1000'),
          ),
        1000,
      ),
      AUDIT_REQUEST_TIMEOUT: duration('AUDIT_REQUEST_TIMEOUT', '10s', 100),
      AUDIT_GIVE_UP_AFTER: duration('AUDIT_GIVE_UP_AFTER', '30m', 60_000),
    }),
    env,
  );
  // A bearer token over plain HTTP is readable by anyone on the path.
  if (v.DATASTORAGE_TOKEN_SECRET_ARN && new URL(v.DATASTORAGE_URL).protocol !== 'https:')
    throw new ConfigError(
      'invalid configuration: DATASTORAGE_URL must be https:// when DATASTORAGE_TOKEN_SECRET_ARN is set',
    );
  return {
    dataStorageUrl: v.DATASTORAGE_URL,
    tokenSecretArn: v.DATASTORAGE_TOKEN_SECRET_ARN,
    auditDlqUrl: v.AUDIT_DLQ_URL,
    batchSize: v.AUDIT_BATCH_SIZE,
    requestTimeoutMs: v.AUDIT_REQUEST_TIMEOUT,
    giveUpAfterMs: v.AUDIT_GIVE_UP_AFTER,
  };
}
