import { describe, expect, it } from 'vitest';
import {
  CONTEXT_KEYS,
  InfraConfigError,
  PLACEHOLDER_DATASTORAGE_URL,
  parseInfraConfig,
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

  it('reads only its own context keys', () => {
    expect(CONTEXT_KEYS).toContain('eksClusterName');
    expect(CONTEXT_KEYS).not.toContain('aws:cdk:bundling-stacks');
  });
});
