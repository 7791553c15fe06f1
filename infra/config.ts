/**
 * The deployment's settings, read from CDK context (`-c key=value`, or "context" in cdk.json) and
 * validated at synth time; every error names the setting. The defaults let a bare `cdk synth` run
 * offline. The two settings a working deployment must give (the EKS cluster and the DataStorage
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
const retentionDays = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');

const settings = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,39}$/, 'must be letters, digits and dashes, at most 40 characters')
    .default('wfe'),

  clusterAuth: z.enum(['eks', 'kubeconfig']).default('eks'),
  eksClusterName: z
    .string()
    .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name')
    .optional(),
  createAccessEntry: flag(true),
  kubernetesGroup: z
    .string()
    .regex(
      /^(?!system:)[a-z0-9][a-z0-9:._-]{0,62}$/,
      'must be a Kubernetes group name not starting with system:',
    )
    .default('wfe-executors'),
  kubeconfigSecretArn: secretArn.optional(),
  clusterName: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a short name without / or #')
    .optional(),

  executionNamespace: z.string().regex(dnsLabel, 'must be a namespace name').default('kubernaut-workflows'),
  serviceAccountName: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a service account name')
    .default('kubernaut-workflow-runner'),
  allowedServiceAccounts: list
    .pipe(
      z
        .array(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be service account names'))
        .min(1, 'must name at least one'),
    )
    .optional(),
  allowedBundlePrefixes: list
    .pipe(
      z
        .array(z.string().min(1).max(256).regex(/^\S+$/, 'must be bundle prefixes without spaces'))
        .min(1, 'must name at least one'),
    )
    .optional(),
  requestSenders: list
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
  cooldownPeriod: duration(1, 7 * 24 * 3600, '5m'),
  lockLease: duration(1, 7 * 24 * 3600, '15m'),

  dataStorageUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  dataStorageTokenSecretArn: secretArn.optional(),
  auditBatchSize: integer(1, 1000, 100),
  auditRequestTimeout: duration(1, 30, '10s'),
  // The forwarder parks a record (with its event) in the audit DLQ once it has waited auditGiveUpAfter;
  // the stream's own give-up (record age, retries) must come well after, or records would leave the
  // stream as bare sequence numbers that no redrive can replay.
  auditGiveUpAfter: duration(60, 12 * 3600, '30m'),
  auditRetryAttempts: integer(0, 10_000, 10_000),
  auditMaxRecordAge: duration(60, 24 * 3600, '6h'),

  maxReceiveCount: integer(1, 1000, 5),
  batchSize: integer(1, 10_000, 10),
  // No window by default: a lone deferred request is invoked as soon as it is visible, so a waiter starts
  // at its cooldown's end (WE-3) instead of after another second of batching.
  maxBatchingWindow: duration(0, 300, '0s'),
  maxConcurrency: integer(2, 1000, 5),

  logRetentionDays: integer(1, 9999, 30).refine((d) => retentionDays.includes(d), {
    message: `must be one of ${retentionDays.join(', ')}`,
  }),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  alarmEmail: z.email().optional(),

  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-…)')
    .optional(),
  subnetIds: list
    .pipe(z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be subnet ids (subnet-…)')))
    .optional(),
  securityGroupId: z
    .string()
    .regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-…)')
    .optional(),

  deletionProtection: flag(true),
});

/** Every context key this app reads. */
export const CONTEXT_KEYS = Object.keys(settings.shape) as (keyof typeof settings.shape)[];

type Settings = z.output<typeof settings>;

const seconds = (text: string) => (parseDuration(text) ?? 0) / 1000;

function crossChecks(s: Settings, ctx: z.RefinementCtx) {
  const problem = (key: keyof Settings, message: string) =>
    ctx.addIssue({ code: 'custom', path: [key], message });
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
          key as keyof Settings,
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

function toConfig(s: Settings) {
  const warnings: { setting: keyof Settings; message: string }[] = [];
  if (s.clusterAuth === 'eks' && !s.eksClusterName)
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
  return {
    stackName: s.stackName,
    cluster,
    execution: {
      clusterName: s.clusterName ?? s.eksClusterName ?? 'default',
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

/** A setting was missing or invalid; the message names each one. */
export class InfraConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid wfe settings (CDK context; set with -c key=value or in cdk.json):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'InfraConfigError';
  }
}

/** Parses raw context values (strings from the CLI, JSON from cdk.json) into the typed config. */
export function parseInfraConfig(raw: Record<string, unknown>): InfraConfig {
  const result = settings.superRefine(crossChecks).safeParse(raw);
  if (!result.success) {
    throw new InfraConfigError(
      result.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || 'context'}: ${issue.message}`,
      ),
    );
  }
  return toConfig(result.data);
}

/** Reads this app's keys from a construct tree's context. */
export function readInfraConfig(tryGetContext: (key: string) => unknown): InfraConfig {
  return parseInfraConfig(Object.fromEntries(CONTEXT_KEYS.map((key) => [key, tryGetContext(key)])));
}
