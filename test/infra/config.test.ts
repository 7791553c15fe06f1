import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLUSTERS_ENV_BUDGET,
  closest,
  InfraConfigError,
  PLACEHOLDER_DATASTORAGE_URL,
  parseInfraConfig,
  readContextSettings,
  SETTINGS,
  settingsTable,
} from '../../infra/config.js';
import { SECRET_ARN } from './synth.js';

describe('parseInfraConfig', () => {
  it('gives every setting a default, so a bare synth works offline', () => {
    const config = parseInfraConfig({});
    expect(config).toMatchObject({
      stackName: 'wfe',
      cluster: {
        auth: 'eks',
        eksClusterName: undefined,
        createAccessEntry: true,
        kubernetesGroup: 'wfe-executors',
      },
      execution: {
        clusterName: 'default',
        namespace: 'kubernaut-workflows',
        serviceAccountName: 'kubernaut-workflow-runner',
        cooldownPeriod: '5m',
        lockLease: '15m',
      },
      audit: {
        dataStorageUrl: PLACEHOLDER_DATASTORAGE_URL,
        batchSize: 100,
        requestTimeout: '10s',
        giveUpAfter: '30m',
        retryAttempts: 10_000,
      },
      requests: { maxReceiveCount: 5, batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 5 },
      logs: { retentionDays: 30, level: 'INFO' },
      alarmEmail: undefined,
      vpc: undefined,
      deletionProtection: true,
    });
  });

  it('warns, naming the setting, when the cluster or DataStorage is not given', () => {
    const warnings = parseInfraConfig({}).warnings;
    expect(warnings.map((w) => w.setting)).toEqual([
      'eksClusterName',
      'dataStorageUrl',
      'allowedBundlePrefixes',
      'requestSenders',
    ]);
    expect(warnings[1]?.message).toContain(PLACEHOLDER_DATASTORAGE_URL);
    expect(
      parseInfraConfig({
        eksClusterName: 'c',
        dataStorageUrl: 'https://ds.example.com',
        allowedBundlePrefixes: 'ghcr.io/kubernaut/',
        requestSenders: 'arn:aws:iam::123456789012:role/sender',
      }).warnings,
    ).toEqual([]);
  });

  it('WE-15: reads the allow-lists and the request senders as lists', () => {
    const config = parseInfraConfig({
      allowedServiceAccounts: 'runner-a, runner-b',
      allowedBundlePrefixes: ['ghcr.io/kubernaut/'],
      requestSenders: 'arn:aws:iam::123456789012:role/a,arn:aws:iam::210987654321:user/b',
    });
    expect(config.execution.allowedServiceAccounts).toEqual(['runner-a', 'runner-b']);
    expect(config.execution.allowedBundlePrefixes).toEqual(['ghcr.io/kubernaut/']);
    expect(config.requests.senders).toHaveLength(2);
    expect(parseInfraConfig({}).execution.allowedServiceAccounts).toBeUndefined();
  });

  it('reads CLI strings and cdk.json values alike', () => {
    const fromCli = parseInfraConfig({
      maxReceiveCount: '7',
      deletionProtection: 'false',
      subnetIds: 'subnet-0123456789abcdef0, subnet-0fedcba9876543210',
      vpcId: 'vpc-0123456789abcdef0',
      securityGroupId: 'sg-0123456789abcdef0',
    });
    const fromJson = parseInfraConfig({
      maxReceiveCount: 7,
      deletionProtection: false,
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      vpcId: 'vpc-0123456789abcdef0',
      securityGroupId: 'sg-0123456789abcdef0',
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.requests.maxReceiveCount).toBe(7);
    expect(fromCli.vpc?.subnetIds).toHaveLength(2);
  });

  it('names the lock-key cluster after the EKS cluster unless clusterName is given', () => {
    expect(parseInfraConfig({ eksClusterName: 'prod' }).execution.clusterName).toBe('prod');
    expect(parseInfraConfig({ eksClusterName: 'prod', clusterName: 'fleet-a' }).execution.clusterName).toBe(
      'fleet-a',
    );
  });

  it.each([
    [{ maxReceiveCount: '0' }, 'maxReceiveCount', 'at least 1'],
    [{ maxReceiveCount: 'five' }, 'maxReceiveCount', 'whole number'],
    [{ maxConcurrency: 1 }, 'maxConcurrency', 'at least 2'],
    [{ batchSize: 50, maxBatchingWindow: '0' }, 'batchSize', 'maxBatchingWindow'],
    [{ maxBatchingWindow: '500ms' }, 'maxBatchingWindow', 'whole number of seconds'],
    [{ cooldownPeriod: '5 minutes' }, 'cooldownPeriod', 'duration'],
    [{ lockLease: '0' }, 'lockLease', 'duration'],
    [{ auditBatchSize: 5000 }, 'auditBatchSize', 'at most 1000'],
    [{ auditMaxRecordAge: '45m' }, 'auditMaxRecordAge', 'at least twice auditGiveUpAfter'],
    [{ clusterAuth: 'gke' }, 'clusterAuth', 'eks'],
    [{ clusterAuth: 'kubeconfig' }, 'kubeconfigSecretArn', 'required when clusterAuth=kubeconfig'],
    [
      { clusterAuth: 'kubeconfig', kubeconfigSecretArn: SECRET_ARN.kubeconfig, eksClusterName: 'x' },
      'eksClusterName',
      'only used with clusterAuth=eks',
    ],
    [
      { kubeconfigSecretArn: SECRET_ARN.kubeconfig },
      'kubeconfigSecretArn',
      'only used with clusterAuth=kubeconfig',
    ],
    [
      {
        clusterAuth: 'kubeconfig',
        kubeconfigSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kubeconfig',
      },
      'kubeconfigSecretArn',
      'complete secret ARN',
    ],
    [{ dataStorageTokenSecretArn: 'my-token' }, 'dataStorageTokenSecretArn', 'complete secret ARN'],
    [{ dataStorageUrl: 'datastorage:8080' }, 'dataStorageUrl', 'http(s) URL'],
    [{ alarmEmail: 'oncall' }, 'alarmEmail', 'email'],
    [
      { dataStorageUrl: 'http://datastorage.example.com', dataStorageTokenSecretArn: SECRET_ARN.token },
      'dataStorageUrl',
      'https:// when dataStorageTokenSecretArn is set',
    ],
    [{ allowedServiceAccounts: 'Runner_A' }, 'allowedServiceAccounts', 'service account names'],
    [{ allowedBundlePrefixes: ' , ' }, 'allowedBundlePrefixes', 'at least one'],
    [{ requestSenders: '123456789012' }, 'requestSenders', 'IAM role or user ARNs'],
    [{ vpcId: 'vpc-0123456789abcdef0' }, 'subnetIds', 'VPC'],
    [{ vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-0123456789abcdef0' }, 'securityGroupId', 'VPC'],
    [{ subnetIds: 'subnet-1,sg-2' }, 'subnetIds', 'subnet ids'],
    [{ executionNamespace: 'Kubernaut_Workflows' }, 'executionNamespace', 'namespace'],
    [{ kubernetesGroup: 'system:masters' }, 'kubernetesGroup', 'system:'],
    [{ stackName: 'wfe_prod' }, 'stackName', 'dashes'],
    [{ deletionProtection: 'yes' }, 'deletionProtection', 'true or false'],
    [{ logRetentionDays: 4 }, 'logRetentionDays', 'one of'],
    [{ logLevel: 'TRACE' }, 'logLevel', 'INFO'],
  ])('rejects %j, naming %s', (raw, setting, hint) => {
    let error: unknown;
    try {
      parseInfraConfig(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InfraConfigError);
    const problem = (error as InfraConfigError).problems.find((p) => p.startsWith(setting));
    expect(problem, (error as Error).message).toBeDefined();
    expect(problem).toContain(hint);
    expect((error as Error).message).toContain('-c key=value');
  });
});

const problemsOf = (read: () => unknown): string[] => {
  try {
    read();
  } catch (error) {
    if (error instanceof InfraConfigError) return error.problems;
    throw error;
  }
  return [];
};

const TWO_CLUSTERS = [
  { name: 'east', eksClusterName: 'prod-east' },
  { name: 'west', kubeconfigSecretArn: SECRET_ARN.kubeconfig, namespace: 'remediation' },
];

describe('WE-16: clusters (several clusters, one deployment)', () => {
  it('reads the list from a CLI string and from cdk.json alike, each namespace defaulting to executionNamespace', () => {
    const fromCli = parseInfraConfig({ clusters: JSON.stringify(TWO_CLUSTERS), executionNamespace: 'wf' });
    const fromJson = parseInfraConfig({ clusters: TWO_CLUSTERS, executionNamespace: 'wf' });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.fleet).toEqual({
      defaultCluster: 'east',
      createAccessEntry: true,
      kubernetesGroup: 'wfe-executors',
      clusters: [
        { name: 'east', access: { auth: 'eks', eksClusterName: 'prod-east' }, namespace: 'wf' },
        {
          name: 'west',
          access: { auth: 'kubeconfig', kubeconfigSecretArn: SECRET_ARN.kubeconfig },
          namespace: 'remediation',
        },
      ],
    });
    expect(fromCli.execution.clusterName).toBe('east');
  });

  it('takes the default cluster from defaultCluster, else the first entry', () => {
    expect(parseInfraConfig({ clusters: TWO_CLUSTERS, defaultCluster: 'west' }).fleet?.defaultCluster).toBe(
      'west',
    );
    expect(parseInfraConfig({ clusters: TWO_CLUSTERS, defaultCluster: 'west' }).execution.clusterName).toBe(
      'west',
    );
  });

  it('leaves the single cluster as it is when no list is given, and warns about no EKS cluster with a list', () => {
    expect(parseInfraConfig({ eksClusterName: 'prod' }).fleet).toBeUndefined();
    const warnings = parseInfraConfig({ clusters: TWO_CLUSTERS }).warnings.map((w) => w.setting);
    expect(warnings).not.toContain('eksClusterName');
  });

  it("refuses more clusters than a function's 4 KB environment holds, counting each token ARN at its longest", () => {
    const fleet = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        name: `prod-eu-west-${i}`,
        eksClusterName: `prod-eu-west-${i}`,
      }));
    expect(parseInfraConfig({ clusters: fleet(14) }).fleet?.clusters).toHaveLength(14);
    expect(problemsOf(() => parseInfraConfig({ clusters: fleet(20) }))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^clusters: 20 clusters make the events sink's CLUSTERS about \\d+ bytes, more than the ${CLUSTERS_ENV_BUDGET.eventsSink} `,
        ),
      ),
    ]);
  });

  const west = TWO_CLUSTERS[1];
  it.each([
    [{ clusters: '[{"name": "east"' }, 'clusters', 'JSON array'],
    [{ clusters: [] }, 'clusters', 'at least one'],
    [{ clusters: [{ name: 'East', eksClusterName: 'e' }] }, 'clusters[0].name', 'DNS label'],
    [{ clusters: [{ name: `c${'x'.repeat(63)}`, eksClusterName: 'e' }] }, 'clusters[0].name', 'DNS label'],
    [{ clusters: [{ name: 'east' }] }, 'clusters[0]', 'east names no access'],
    [
      { clusters: [{ name: 'east', eksClusterName: 'e', kubeconfigSecretArn: SECRET_ARN.kubeconfig }] },
      'clusters[0]',
      'east gives both',
    ],
    [{ clusters: [...TWO_CLUSTERS, { ...west }] }, 'clusters[2].name', 'west is listed twice'],
    [{ clusters: [{ ...west, namespace: 'Remediation_1' }] }, 'clusters[0].namespace', 'namespace'],
    [
      { clusters: [{ ...west, kubeconfigSecretArn: 'arn:aws:secretsmanager:x' }] },
      'clusters[0].kubeconfigSecretArn',
      'complete secret ARN',
    ],
    [{ clusters: [{ name: 'east', eksClusterName: 'prod east' }] }, 'clusters[0].eksClusterName', 'EKS'],
    [
      { clusters: [{ name: 'east', eksClusterName: 'e', namspace: 'wf' }] },
      'clusters[0].namspace',
      'did you mean namespace?',
    ],
    [{ clusters: TWO_CLUSTERS, defaultCluster: 'north' }, 'defaultCluster', 'east, west'],
    [{ defaultCluster: 'east' }, 'defaultCluster', 'only used with clusters'],
    [{ clusters: TWO_CLUSTERS, eksClusterName: 'prod' }, 'eksClusterName', 'not used with clusters'],
    [{ clusters: TWO_CLUSTERS, clusterName: 'prod' }, 'clusterName', 'not used with clusters'],
    [{ clusters: TWO_CLUSTERS, clusterAuth: 'kubeconfig' }, 'clusterAuth', 'not used with clusters'],
    [
      { clusters: TWO_CLUSTERS, kubeconfigSecretArn: SECRET_ARN.kubeconfig },
      'kubeconfigSecretArn',
      'not used with clusters',
    ],
  ])('rejects %j, naming %s', (raw, where, hint) => {
    const problems = problemsOf(() => parseInfraConfig(raw));
    const problem = problems.find((p) => p.startsWith(`${where}:`));
    expect(problem, problems.join('\n')).toBeDefined();
    expect(problem).toContain(hint);
  });
});

describe('readContextSettings', () => {
  it('names the closest setting for a key that is not one', () => {
    expect(problemsOf(() => readContextSettings({ cooldown: '1m' }))).toEqual([
      'cooldown: is not a setting; did you mean cooldownPeriod?',
    ]);
    expect(problemsOf(() => readContextSettings({ maxRecieveCount: 3 }))).toEqual([
      'maxRecieveCount: is not a setting; did you mean maxReceiveCount?',
    ]);
    expect(problemsOf(() => readContextSettings({ EKSClusterName: 'prod' }))[0]).toContain(
      'did you mean eksClusterName?',
    );
  });

  it("passes over CDK's own keys: feature flags, the CLI's, lookups, acknowledged notices", () => {
    const settings = readContextSettings({
      '@aws-cdk/aws-iam:minimizePolicies': true,
      'aws:cdk:bundling-stacks': [],
      'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
      'acknowledged-issue-numbers': [12345],
      cooldownPeriod: '1m',
    });
    expect(settings.cooldownPeriod).toBe('1m');
  });

  it('reports every problem at once, each once: unknown keys and invalid values', () => {
    const problems = problemsOf(() =>
      readContextSettings({ cooldown: '1m', maxReceiveCount: '0', lockLease: 'x' }),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^cooldown: .*cooldownPeriod/);
    expect(problems.filter((p) => p.startsWith('maxReceiveCount:'))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith('lockLease:'))).toHaveLength(1);
  });

  it('prefers a setting that contains the key, then the fewest edits', () => {
    expect(closest('lease', Object.keys(SETTINGS))).toBe('lockLease');
    expect(closest('logLevl', Object.keys(SETTINGS))).toBe('logLevel');
    expect(closest('vpc', Object.keys(SETTINGS))).toBe('vpcId');
  });
});

describe('SETTINGS', () => {
  it("is infra/README's table of settings, defaults and meanings", () => {
    const readme = readFileSync(new URL('../../infra/README.md', import.meta.url), 'utf8');
    const table = settingsTable();
    expect(readme, `infra/README.md must hold this table:\n${table}`).toContain(table);
  });

  it('shows the defaults the code applies', () => {
    const table = settingsTable();
    expect(table).toContain('| `maxBatchingWindow` | `0s` |');
    expect(table).toContain('| `auditRetryAttempts` | `10000` |');
    expect(table).toContain('| `auditGiveUpAfter` | `30m` |');
    expect(table).toContain('| `eksClusterName` | — |');
    expect(table.split('\n')).toHaveLength(Object.keys(SETTINGS).length + 2);
  });
});
