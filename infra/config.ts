/**
 * The deployment's settings, each declared once in SETTINGS (infra/README's table is made from it),
 * read from CDK context (`-c key=value`, or "context" in cdk.json) or from WorkflowExecutionService's
 * props, and validated at synth time; every error names the setting, and a context key that is no
 * setting names the closest one. The defaults let a bare `cdk synth` run offline. The two settings a working deployment must give (the EKS cluster and the DataStorage
 * URL) produce synth-time warnings instead of errors, so CI can synth without them.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { parseDuration } from '../functions/core/duration.js';

/** Reserved TLD (RFC 2606): it can never resolve, so a forgotten URL fails loudly, never silently. */
export const PLACEHOLDER_DATASTORAGE_URL = 'https://datastorage.invalid';

const duration = (min: number, max: number, fallback: string) =>
  z
    .string()
    .default(fallback)
    .superRefine((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms < min * 1000 || ms > max * 1000)
        ctx.addIssue({
          code: 'custom',
          message: `must be a duration such as 30s, 5m or 1h, from ${min}s to ${max}s; got "${text}"`,
        });
    });

// CLI context values arrive as strings, cdk.json values as JSON: accept both.
const integer = (min: number, max: number, fallback: number) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
      z
        .number({ message: 'must be a whole number' })
        .int('must be a whole number')
        .min(min, `must be at least ${min}`)
        .max(max, `must be at most ${max}`),
    )
    .default(fallback);
const flag = (fallback: boolean) =>
  z
    .preprocess(
      (v) => (v === 'true' ? true : v === 'false' ? false : v),
      z.boolean({ message: 'must be true or false' }),
    )
    .default(fallback);
const list = z.union([
  z.array(z.string()),
  z.string().transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ),
]);

/** The complete ARN (with the 6-character suffix), so a grant names exactly one secret. */
const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/,
    'must be the complete secret ARN, ending in the 6-character suffix (as `aws secretsmanager describe-secret` prints it)',
  );
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const eksClusterName = z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name');
const namespace = z.string().regex(dnsLabel, 'must be a namespace name');

/** One entry of `clusters` (WE-16): the name requests carry in `kubernaut.ai/cluster`, and how to reach it. */
const clusterEntry = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
      'must be a DNS label: lowercase letters, digits and dashes, at most 63 characters',
    ),
  eksClusterName: eksClusterName.optional(),
  kubeconfigSecretArn: secretArn.optional(),
  namespace: namespace.optional(),
});
const CLUSTER_ENTRY_KEYS = Object.keys(clusterEntry.shape);

/** A JSON array from the CLI (`-c clusters='[…]'`), or the array itself from cdk.json or props. */
const clusterList = z
  .preprocess(
    (v, ctx) => {
      if (typeof v !== 'string') return v;
      try {
        return JSON.parse(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of cluster entries' });
        return z.NEVER;
      }
    },
    z
      .array(clusterEntry, { message: 'must be a JSON array of cluster entries' })
      .min(1, 'must list at least one cluster'),
  )
  .optional();
const retentionDays = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

/**
 * One setting: how it is read, one line for infra/README's table, and the default as the table shows
 * it where the schema's own default is not the whole story.
 */
interface Setting<S extends z.ZodType> {
  schema: S;
  doc: string;
  shownDefault?: string;
}
const setting = <S extends z.ZodType>(schema: S, doc: string, shownDefault?: string): Setting<S> => ({
  schema,
  doc,
  shownDefault,
});

/** Every setting the app and WorkflowExecutionService read: the one declaration of name, type, default and meaning. */
export const SETTINGS = {
  stackName: setting(
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,39}$/, 'must be letters, digits and dashes, at most 40 characters')
      .default('wfe'),
    "the stack's name; also prefixes the function names, the dashboard and the alarms",
  ),

  clusterAuth: setting(
    z.enum(['eks', 'kubeconfig']).default('eks'),
    '`eks` (IAM token for an EKS cluster) or `kubeconfig` (a kubeconfig in Secrets Manager)',
  ),
  eksClusterName: setting(
    eksClusterName.optional(),
    'the EKS cluster; needed with `clusterAuth=eks` (synth warns without it)',
  ),
  createAccessEntry: setting(
    flag(true),
    'create the EKS access entries for the roles that call the cluster (each EKS cluster, with `clusters`)',
  ),
  kubernetesGroup: setting(
    z
      .string()
      .regex(
        /^(?!system:)[a-z0-9][a-z0-9:._-]{0,62}$/,
        'must be a Kubernetes group name not starting with system:',
      )
      .default('wfe-executors'),
    'the Kubernetes group the access entries map the roles to',
  ),
  kubeconfigSecretArn: setting(
    secretArn.optional(),
    'complete ARN of the kubeconfig secret; required with `clusterAuth=kubeconfig`',
  ),
  clusterName: setting(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a short name without / or #')
      .optional(),
    'the cluster name in every lock key (`CLUSTER_NAME`)',
    '`eksClusterName`, else `default`',
  ),
  clusters: setting(
    clusterList,
    'several clusters, one deployment (WE-16): a JSON array of `{"name", "eksClusterName" or "kubeconfigSecretArn", "namespace"}` in place of `clusterAuth`, `eksClusterName`, `kubeconfigSecretArn` and `clusterName` ([several clusters](#several-clusters-one-deployment-we-16))',
    'one cluster, from the settings above',
  ),
  defaultCluster: setting(
    z.string().optional(),
    'with `clusters`: the cluster of a request without the `kubernaut.ai/cluster` label',
    'the first of `clusters`',
  ),

  executionNamespace: setting(
    namespace.default('kubernaut-workflows'),
    'where PipelineRuns are created (with `clusters`: in a cluster whose entry names no namespace)',
  ),
  serviceAccountName: setting(
    z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a service account name')
      .default('kubernaut-workflow-runner'),
    "the PipelineRuns' service account, unless a request names one",
  ),
  allowedServiceAccounts: setting(
    list
      .pipe(
        z
          .array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be service account names'))
          .min(1, 'must name at least one'),
      )
      .optional(),
    'comma-separated: the service accounts a request may name (`ALLOWED_SERVICE_ACCOUNTS`)',
    'only `serviceAccountName`',
  ),
  allowedBundlePrefixes: setting(
    list
      .pipe(
        z
          .array(z.string().min(1).max(256).regex(/^\S+$/, 'must be bundle prefixes without spaces'))
          .min(1, 'must name at least one'),
      )
      .optional(),
    "comma-separated: the prefixes a request's bundle must start with (`ALLOWED_BUNDLE_PREFIXES`)",
    'any (synth warns)',
  ),
  requestSenders: setting(
    list
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/,
                'must be IAM role or user ARNs (arn:aws:iam::ACCOUNT:role/NAME)',
              ),
          )
          .min(1, 'must name at least one'),
      )
      .optional(),
    "comma-separated IAM role or user ARNs: the request queue's policy then admits only these and the execute role",
    'any principal of the account IAM allows (synth warns)',
  ),
  cooldownPeriod: setting(
    duration(1, 7 * 24 * 3600, '5m'),
    'how long a target stays locked after its execution ends',
  ),
  lockLease: setting(
    duration(1, 7 * 24 * 3600, '15m'),
    'how long a lock without a PipelineRun may be held before reconcile releases it',
  ),

  dataStorageUrl: setting(
    z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
    'Kubernaut DataStorage',
    `\`${PLACEHOLDER_DATASTORAGE_URL}\` (never resolves; synth warns)`,
  ),
  dataStorageTokenSecretArn: setting(
    secretArn.optional(),
    'complete ARN of the DataStorage bearer token secret (`dataStorageUrl` must then be `https://`)',
  ),
  auditBatchSize: setting(
    integer(1, 1000, 100),
    'stream records per forwarder invocation, and events per POST (at most 1000)',
  ),
  auditRequestTimeout: setting(duration(1, 30, '10s'), 'timeout of one POST to DataStorage'),
  // The forwarder parks a record (with its event) in the audit DLQ once it has waited auditGiveUpAfter;
  // the stream's own give-up (record age, retries) must come well after, or records would leave the
  // stream as bare sequence numbers that no redrive can replay.
  auditGiveUpAfter: setting(
    duration(60, 12 * 3600, '30m'),
    'how long the forwarder retries an audit record before it parks it, with its event, in the audit DLQ',
  ),
  auditRetryAttempts: setting(
    integer(0, 10_000, 10_000),
    "the stream's own retries of a batch, a backstop well after `auditGiveUpAfter`",
  ),
  auditMaxRecordAge: setting(
    duration(60, 24 * 3600, '6h'),
    'the oldest stream record the stream retries, a backstop at least twice `auditGiveUpAfter`',
  ),

  maxReceiveCount: setting(integer(1, 1000, 5), 'receives before a request goes to the DLQ'),
  batchSize: setting(
    integer(1, 10_000, 10),
    'requests per execute invocation (above 10 needs `maxBatchingWindow` ≥ 1s)',
  ),
  // No window by default: a lone deferred request is invoked as soon as it is visible, so a waiter starts
  // at its cooldown's end (WE-3) instead of after another second of batching.
  maxBatchingWindow: setting(duration(0, 300, '0s'), 'how long the queue may gather a batch'),
  maxConcurrency: setting(
    integer(2, 1000, 5),
    'concurrent execute invocations (2–1000): the cap on parallel PipelineRun creation',
  ),

  logRetentionDays: setting(
    integer(1, 9999, 30).refine((d) => retentionDays.includes(d), {
      message: `must be one of ${retentionDays.join(', ')}`,
    }),
    "log retention of the functions, in days (one of CloudWatch's values)",
  ),
  logLevel: setting(
    z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    '`DEBUG`, `INFO`, `WARN` or `ERROR`',
  ),
  alarmEmail: setting(
    z.email().optional(),
    'subscribe this address to the alarm topic (confirm the email AWS sends)',
  ),

  vpcId: setting(
    z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)')
      .optional(),
    'run the functions in this VPC (with `subnetIds` and `securityGroupId`: all three, or none)',
  ),
  subnetIds: setting(
    list
      .pipe(z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be subnet ids (subnet-…)')))
      .optional(),
    "comma-separated: the functions' subnets in `vpcId`",
  ),
  securityGroupId: setting(
    z
      .string()
      .regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-…)')
      .optional(),
    "the functions' security group in `vpcId`",
  ),

  deletionProtection: setting(
    flag(true),
    'protect and retain the state table; `false` lets `cdk destroy` delete it',
  ),
};

type Shape = { [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K]['schema'] };
const settings = z.object(
  Object.fromEntries(Object.entries(SETTINGS).map(([key, s]) => [key, s.schema])) as Shape,
);

/** The settings, checked, defaults filled in. */
export type WfeSettings = z.output<typeof settings>;

const seconds = (text: string) => (parseDuration(text) ?? 0) / 1000;

function crossChecks(s: WfeSettings, ctx: z.RefinementCtx) {
  const problem = (key: keyof WfeSettings, message: string) =>
    ctx.addIssue({ code: 'custom', path: [key], message });
  if (s.clusters) clusterListChecks(s, ctx, s.clusters);
  else if (s.defaultCluster) problem('defaultCluster', 'is only used with clusters');
  if (s.clusterAuth === 'kubeconfig' && !s.kubeconfigSecretArn)
    problem('kubeconfigSecretArn', 'is required when clusterAuth=kubeconfig');
  if (s.clusterAuth === 'kubeconfig' && s.eksClusterName)
    problem(
      'eksClusterName',
      'is only used with clusterAuth=eks (name the cluster in lock keys with clusterName)',
    );
  if (s.clusterAuth === 'eks' && s.kubeconfigSecretArn)
    problem('kubeconfigSecretArn', 'is only used with clusterAuth=kubeconfig');
  const vpcParts = { vpcId: s.vpcId, subnetIds: s.subnetIds?.length, securityGroupId: s.securityGroupId };
  const given = Object.entries(vpcParts).filter(([, v]) => v);
  if (given.length > 0 && given.length < 3) {
    for (const [key, v] of Object.entries(vpcParts))
      if (!v)
        problem(
          key as keyof WfeSettings,
          'is required to place the functions in a VPC (vpcId, subnetIds, securityGroupId)',
        );
  }
  // A bearer token over plain HTTP is readable by anyone on the path.
  if (s.dataStorageTokenSecretArn && s.dataStorageUrl && new URL(s.dataStorageUrl).protocol !== 'https:')
    problem('dataStorageUrl', 'must be https:// when dataStorageTokenSecretArn is set');
  for (const key of ['maxBatchingWindow', 'auditMaxRecordAge'] as const)
    if (!Number.isInteger(seconds(s[key]))) problem(key, 'must be a whole number of seconds');
  if (seconds(s.auditMaxRecordAge) < 2 * seconds(s.auditGiveUpAfter))
    problem(
      'auditMaxRecordAge',
      'must be at least twice auditGiveUpAfter, so the forwarder parks records before the stream drops them',
    );
  // Lambda only gathers more than 10 SQS messages when it may wait for them.
  if (s.batchSize > 10 && seconds(s.maxBatchingWindow) < 1)
    problem('batchSize', 'above 10 needs maxBatchingWindow of at least 1s');
}

/**
 * Lambda holds at most 4 KB of environment per function; CLUSTERS gets what the other variables
 * leave: the events sink has few others, execute has the most (queue URLs, allow-lists).
 */
export const CLUSTERS_ENV_BUDGET = { eventsSink: 3500, callers: 3000 } as const;
/** A token secret's ARN is known only at deploy time: counted at its longest likely length. */
const TOKEN_ARN_LENGTH = 140;

/**
 * One entry of the functions' CLUSTERS (contract of functions/platform/config.ts): the namespace only
 * when it is not EXECUTION_NAMESPACE, the token secret only for the events sink, the one that reads it.
 */
export function clustersEnvEntry(
  cluster: { name: string; access: object; namespace: string },
  defaultNamespace: string,
  eventsTokenSecretArn: string | undefined,
) {
  return {
    name: cluster.name,
    ...cluster.access,
    ...(cluster.namespace === defaultNamespace ? {} : { namespace: cluster.namespace }),
    ...(eventsTokenSecretArn === undefined ? {} : { eventsTokenSecretArn }),
  };
}

/** The single cluster's settings, which an entry of `clusters` holds instead. */
const SINGLE_CLUSTER_SETTINGS = [
  'clusterAuth',
  'eksClusterName',
  'kubeconfigSecretArn',
  'clusterName',
] as const;

function clusterListChecks(
  s: WfeSettings,
  ctx: z.RefinementCtx,
  clusters: NonNullable<WfeSettings['clusters']>,
) {
  const problem = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  for (const key of SINGLE_CLUSTER_SETTINGS)
    if (s[key] !== undefined && !(key === 'clusterAuth' && s[key] === 'eks'))
      problem([key], 'is not used with clusters (each entry says how to reach its cluster)');
  const seen = new Set<string>();
  clusters.forEach((entry, i) => {
    if (seen.has(entry.name)) problem(['clusters', i, 'name'], `${entry.name} is listed twice`);
    seen.add(entry.name);
    if (!entry.eksClusterName && !entry.kubeconfigSecretArn)
      problem(['clusters', i], `${entry.name} names no access: give eksClusterName or kubeconfigSecretArn`);
    if (entry.eksClusterName && entry.kubeconfigSecretArn)
      problem(['clusters', i], `${entry.name} gives both eksClusterName and kubeconfigSecretArn: give one`);
  });
  if (s.defaultCluster !== undefined && !seen.has(s.defaultCluster))
    problem(['defaultCluster'], `must be one of the clusters: ${[...seen].join(', ')}`);
  const fleet = fleetOf(s, clusters);
  const length = (token: string | undefined) =>
    JSON.stringify(fleet.map((c) => clustersEnvEntry(c, s.executionNamespace, token))).length;
  for (const [fn, bytes, budget] of [
    ['events sink', length('x'.repeat(TOKEN_ARN_LENGTH)), CLUSTERS_ENV_BUDGET.eventsSink],
    ['execute', length(undefined), CLUSTERS_ENV_BUDGET.callers],
  ] as const)
    if (bytes > budget)
      problem(
        ['clusters'],
        `${clusters.length} clusters make the ${fn}'s CLUSTERS about ${bytes} bytes, more than the ${budget} Lambda's 4 KB environment leaves for it: shorten the names, or split the clusters across stacks`,
      );
}

function fleetOf(s: WfeSettings, clusters: NonNullable<WfeSettings['clusters']>) {
  return clusters.map((entry) => ({
    name: entry.name,
    access: entry.kubeconfigSecretArn
      ? ({ auth: 'kubeconfig', kubeconfigSecretArn: entry.kubeconfigSecretArn } as const)
      : ({ auth: 'eks', eksClusterName: entry.eksClusterName ?? '' } as const),
    namespace: entry.namespace ?? s.executionNamespace,
  }));
}

function toConfig(s: WfeSettings) {
  const warnings: { setting: keyof WfeSettings; message: string }[] = [];
  if (s.clusterAuth === 'eks' && !s.eksClusterName && !s.clusters)
    warnings.push({
      setting: 'eksClusterName',
      message:
        'eksClusterName is not set: execute and reconcile will refuse to start (EKS_CLUSTER_NAME is required) until you deploy with -c eksClusterName=NAME, or use -c clusterAuth=kubeconfig -c kubeconfigSecretArn=ARN',
    });
  if (!s.dataStorageUrl)
    warnings.push({
      setting: 'dataStorageUrl',
      message: `dataStorageUrl is not set: audit events go to ${PLACEHOLDER_DATASTORAGE_URL}, which never resolves, and end in the audit DLQ until you deploy with -c dataStorageUrl=URL`,
    });
  if (!s.allowedBundlePrefixes)
    warnings.push({
      setting: 'allowedBundlePrefixes',
      message:
        'allowedBundlePrefixes is not set: a request may run any bundle; deploy with -c allowedBundlePrefixes=REGISTRY/PATH/ to allow only yours',
    });
  if (!s.requestSenders)
    warnings.push({
      setting: 'requestSenders',
      message:
        "requestSenders is not set: any principal of this account allowed sqs:SendMessage may send requests; deploy with -c requestSenders=ROLE_ARN,… to admit only those (and the stack's own functions)",
    });
  const cluster =
    s.clusterAuth === 'kubeconfig'
      ? ({ auth: 'kubeconfig', kubeconfigSecretArn: s.kubeconfigSecretArn ?? '' } as const)
      : ({
          auth: 'eks',
          eksClusterName: s.eksClusterName,
          createAccessEntry: s.createAccessEntry,
          kubernetesGroup: s.kubernetesGroup,
        } as const);
  const fleet = s.clusters && {
    clusters: fleetOf(s, s.clusters),
    defaultCluster: s.defaultCluster ?? s.clusters[0]?.name ?? '',
    createAccessEntry: s.createAccessEntry,
    kubernetesGroup: s.kubernetesGroup,
  };
  return {
    stackName: s.stackName,
    cluster,
    /** Several clusters (WE-16); without it the one cluster above, as `cluster` and `execution` say. */
    fleet,
    execution: {
      /** The cluster of a request that names none: with a fleet, its default cluster. */
      clusterName: fleet?.defaultCluster ?? s.clusterName ?? s.eksClusterName ?? 'default',
      namespace: s.executionNamespace,
      serviceAccountName: s.serviceAccountName,
      allowedServiceAccounts: s.allowedServiceAccounts,
      allowedBundlePrefixes: s.allowedBundlePrefixes,
      cooldownPeriod: s.cooldownPeriod,
      lockLease: s.lockLease,
    },
    audit: {
      dataStorageUrl: s.dataStorageUrl ?? PLACEHOLDER_DATASTORAGE_URL,
      tokenSecretArn: s.dataStorageTokenSecretArn,
      batchSize: s.auditBatchSize,
      requestTimeout: s.auditRequestTimeout,
      giveUpAfter: s.auditGiveUpAfter,
      retryAttempts: s.auditRetryAttempts,
      maxRecordAgeSeconds: seconds(s.auditMaxRecordAge),
    },
    requests: {
      maxReceiveCount: s.maxReceiveCount,
      batchSize: s.batchSize,
      maxBatchingWindowSeconds: seconds(s.maxBatchingWindow),
      maxConcurrency: s.maxConcurrency,
      senders: s.requestSenders,
    },
    logs: { retentionDays: s.logRetentionDays as RetentionDays, level: s.logLevel },
    alarmEmail: s.alarmEmail,
    vpc:
      s.vpcId && s.subnetIds && s.securityGroupId
        ? { vpcId: s.vpcId, subnetIds: s.subnetIds, securityGroupId: s.securityGroupId }
        : undefined,
    deletionProtection: s.deletionProtection,
    warnings,
  };
}

export type InfraConfig = ReturnType<typeof toConfig>;
export type ClusterConfig = InfraConfig['cluster'];
export type FleetConfig = NonNullable<InfraConfig['fleet']>;
export type FleetCluster = FleetConfig['clusters'][number];

/** A setting was missing or invalid; the message names each one. */
export class InfraConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid wfe settings (CDK context; set with -c key=value or in cdk.json):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'InfraConfigError';
  }
}

/** Parses raw values (strings from the CLI, JSON from cdk.json, or typed props) into checked settings. */
export function parseSettings(raw: Record<string, unknown>): WfeSettings {
  const result = settings.superRefine(crossChecks).safeParse(raw);
  if (!result.success) throw new InfraConfigError(result.error.issues.flatMap(describeIssue));
  return result.data;
}

/** Parses raw values into the grouped config the constructs read. */
export function parseInfraConfig(raw: Record<string, unknown>): InfraConfig {
  return toConfig(parseSettings(raw));
}

/** `clusters[1].namespace: …`; an entry's misspelt key names the closest one. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = (path: PropertyKey[]) =>
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') ||
    'context';
  if (issue.code === 'unrecognized_keys' && issue.path[0] === 'clusters')
    return issue.keys.map(
      (key) =>
        `${where([...issue.path, key])}: is not a cluster entry key; did you mean ${closest(key, CLUSTER_ENTRY_KEYS)}?`,
    );
  return [`${where(issue.path)}: ${issue.message}`];
}

/**
 * CDK's own context keys: feature flags (`@aws-cdk/…`), the CLI's (`aws:cdk:…`), lookups
 * (`availability-zones:account=…`), and the notices the CLI records as acknowledged.
 */
const isCdkKey = (key: string) => /[:@/]/.test(key) || key === 'acknowledged-issue-numbers';

/**
 * Reads the settings from a construct tree's whole context. A key that is neither CDK's nor a
 * setting is a misspelt setting: it is reported with the closest setting's name, with every other
 * problem, in one error.
 */
export function readContextSettings(context: Record<string, unknown>): WfeSettings {
  const known = Object.keys(SETTINGS);
  const unknown = Object.keys(context)
    .filter((key) => !isCdkKey(key) && !known.includes(key))
    .map((key) => `${key}: is not a setting; did you mean ${closest(key, known)}?`);
  let parsed: WfeSettings | undefined;
  let problems = unknown;
  try {
    parsed = parseSettings(context);
  } catch (error) {
    if (!(error instanceof InfraConfigError)) throw error;
    problems = [...unknown, ...error.problems];
  }
  if (problems.length > 0 || !parsed) throw new InfraConfigError(problems);
  return parsed;
}

/** The candidate nearest to `key`: one that contains it or is contained in it, else the fewest edits. */
export function closest(key: string, candidates: readonly string[]): string {
  const lower = key.toLowerCase();
  const score = (candidate: string) => {
    const c = candidate.toLowerCase();
    return c.includes(lower) || lower.includes(c)
      ? Math.abs(c.length - lower.length) / 100
      : editDistance(lower, c);
  };
  return candidates.reduce((best, c) => (score(c) < score(best) ? c : best));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** infra/README's table of settings, from SETTINGS. */
export function settingsTable(): string {
  const shown = (value: unknown) =>
    value === undefined ? '—' : `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
  const rows = Object.entries(SETTINGS).map(([key, s]: [string, Setting<z.ZodType>]) => {
    const fallback = s.shownDefault ?? shown(s.schema.safeParse(undefined).data);
    return `| \`${key}\` | ${fallback} | ${s.doc} |`;
  });
  return ['| setting | default | what it does |', '|---|---|---|', ...rows].join('\n');
}
