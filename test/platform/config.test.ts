import { describe, expect, it } from 'vitest';
import {
  eventsConfig,
  eventsSinkConfig,
  executeConfig,
  forwarderConfig,
  reconcileConfig,
} from '../../functions/platform/config.js';

const base = {
  TABLE_NAME: 'wfe-state',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wfe-requests',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/wfe-requests-dlq',
  CLUSTER_AUTH: 'eks',
  EKS_CLUSTER_NAME: 'prod-eu',
};

describe('configuration (SPEC §4)', () => {
  it('applies the SPEC defaults', () => {
    const config = executeConfig(base);
    expect(config.execution).toEqual({
      namespace: 'kubernaut-workflows',
      serviceAccountName: 'kubernaut-workflow-runner',
      clusterName: 'prod-eu',
      cooldownMs: 300_000,
      leaseMs: 900_000,
    });
    expect(config.cluster).toEqual({ mode: 'eks', clusterName: 'prod-eu' });
  });

  it('takes CLUSTER_NAME over EKS_CLUSTER_NAME, and "default" when neither is set', () => {
    expect(executeConfig({ ...base, CLUSTER_NAME: 'fleet-a' }).execution.clusterName).toBe('fleet-a');
    const { EKS_CLUSTER_NAME: _e, ...local } = base;
    expect(
      executeConfig({ ...local, CLUSTER_AUTH: 'local', KUBECONFIG: '/tmp/k' }).execution.clusterName,
    ).toBe('default');
  });

  it('accepts cooldowns down to seconds', () => {
    expect(reconcileConfig({ ...base, COOLDOWN_PERIOD: '10s' }).execution.cooldownMs).toBe(10_000);
  });

  it('WE-15: reads the allow-lists as comma-separated lists; unset leaves the defaults to the rule', () => {
    const config = executeConfig({
      ...base,
      ALLOWED_SERVICE_ACCOUNTS: 'runner-a, runner-b',
      ALLOWED_BUNDLE_PREFIXES: 'ghcr.io/kubernaut/,registry.example.com/',
    });
    expect(config.execution.allowedServiceAccounts).toEqual(['runner-a', 'runner-b']);
    expect(config.execution.allowedBundlePrefixes).toEqual(['ghcr.io/kubernaut/', 'registry.example.com/']);
    expect(reconcileConfig({ ...base, ALLOWED_SERVICE_ACCOUNTS: '' }).execution.allowedServiceAccounts).toBe(
      undefined,
    );
  });

  it.each([
    [{ ALLOWED_SERVICE_ACCOUNTS: ' , ' }, 'ALLOWED_SERVICE_ACCOUNTS must be a comma-separated list'],
    [{ TABLE_NAME: undefined }, 'TABLE_NAME is required'],
    [{ QUEUE_URL: 'not a url' }, 'QUEUE_URL'],
    [{ COOLDOWN_PERIOD: '5 minutes' }, 'COOLDOWN_PERIOD must be a duration such as 5m or 30s'],
    [{ LOCK_LEASE: '0s' }, 'LOCK_LEASE must be a duration'],
    [{ EXECUTION_NAMESPACE: 'Bad_NS' }, 'EXECUTION_NAMESPACE must be a namespace name'],
    [{ EKS_CLUSTER_NAME: undefined }, 'EKS_CLUSTER_NAME is required when CLUSTER_AUTH=eks'],
    [{ CLUSTER_AUTH: 'kubeconfig' }, 'KUBECONFIG_SECRET_ARN is required when CLUSTER_AUTH=kubeconfig'],
    [{ CLUSTER_AUTH: undefined }, 'cluster access is not configured'],
  ])('fails naming the variable: %j', (change, message) => {
    expect(() => executeConfig({ ...base, ...change })).toThrow(message);
  });

  it('validates the forwarder settings', () => {
    const env = { DATASTORAGE_URL: 'http://datastorage:8080', AUDIT_DLQ_URL: base.DLQ_URL };
    expect(forwarderConfig(env)).toMatchObject({
      batchSize: 1000,
      requestTimeoutMs: 10_000,
      giveUpAfterMs: 1_800_000,
    });
    expect(() => forwarderConfig({ ...env, AUDIT_BATCH_SIZE: '5000' })).toThrow(
      'AUDIT_BATCH_SIZE must be at most 1000',
    );
    expect(() => forwarderConfig({ AUDIT_DLQ_URL: base.DLQ_URL })).toThrow('DATASTORAGE_URL');
  });

  it('WE-15: refuses a DataStorage token over plain HTTP', () => {
    const token = { AUDIT_DLQ_URL: base.DLQ_URL, DATASTORAGE_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:x' };
    expect(() => forwarderConfig({ ...token, DATASTORAGE_URL: 'http://datastorage:8080' })).toThrow(
      'DATASTORAGE_URL must be https:// when DATASTORAGE_TOKEN_SECRET_ARN is set',
    );
    expect(forwarderConfig({ ...token, DATASTORAGE_URL: 'https://datastorage:8443' }).tokenSecretArn).toBe(
      token.DATASTORAGE_TOKEN_SECRET_ARN,
    );
  });

  it('WE-13: TIMER_QUEUE_URL is optional for execute and reconcile (the sweep alone), required by the events consumer; the sink needs its queue (its token secret: test/events-sink)', () => {
    const timerQueue = 'https://sqs.eu-west-1.amazonaws.com/123456789012/wfe-timers';
    expect(executeConfig(base).timerQueueUrl).toBeUndefined();
    expect(reconcileConfig({ ...base, TIMER_QUEUE_URL: timerQueue }).timerQueueUrl).toBe(timerQueue);
    expect(() => eventsConfig(base)).toThrow('TIMER_QUEUE_URL');
    expect(eventsConfig({ ...base, TIMER_QUEUE_URL: timerQueue }).timerQueueUrl).toBe(timerQueue);
    expect(eventsSinkConfig({ EVENTS_QUEUE_URL: timerQueue, EVENTS_TOKEN_SECRET_ARN: 'arn:x' })).toEqual({
      eventsQueueUrl: timerQueue,
      tokenSecretArn: 'arn:x',
    });
    expect(() => eventsSinkConfig({ EVENTS_TOKEN_SECRET_ARN: 'arn:x' })).toThrow('EVENTS_QUEUE_URL');
  });
});
