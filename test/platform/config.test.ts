import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.js';
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
      clusters: [{ name: 'prod-eu', namespace: 'kubernaut-workflows' }],
      defaultCluster: 'prod-eu',
      serviceAccountName: 'kubernaut-workflow-runner',
      cooldownMs: 300_000,
      leaseMs: 900_000,
    });
    expect(config.clusters).toEqual([
      { name: 'prod-eu', namespace: 'kubernaut-workflows', access: { mode: 'eks', clusterName: 'prod-eu' } },
    ]);
  });

  it('takes CLUSTER_NAME over EKS_CLUSTER_NAME, and "default" when neither is set', () => {
    expect(executeConfig({ ...base, CLUSTER_NAME: 'fleet-a' }).execution.defaultCluster).toBe('fleet-a');
    const { EKS_CLUSTER_NAME: _e, ...local } = base;
    expect(
      executeConfig({ ...local, CLUSTER_AUTH: 'local', KUBECONFIG: '/tmp/k' }).execution.defaultCluster,
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

  describe('WE-16 CLUSTERS', () => {
    const { CLUSTER_AUTH: _a, EKS_CLUSTER_NAME: _e, ...noAccess } = base;
    const clusters = (entries: unknown, extra: Record<string, string> = {}) => ({
      ...noAccess,
      EXECUTION_NAMESPACE: 'wf',
      CLUSTERS: JSON.stringify(entries),
      ...extra,
    });
    const east = { name: 'east', auth: 'eks', eksClusterName: 'eks-east' };
    const west = {
      name: 'west',
      auth: 'kubeconfig',
      kubeconfigSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:west',
      namespace: 'wf-west',
      eventsTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:west-token',
    };

    it('WE-16: reads each cluster’s access, namespace (else EXECUTION_NAMESPACE) and events token; the first is the default', () => {
      const config = reconcileConfig(clusters([east, west]));
      expect(config.clusters).toEqual([
        { name: 'east', namespace: 'wf', access: { mode: 'eks', clusterName: 'eks-east' } },
        {
          name: 'west',
          namespace: 'wf-west',
          access: { mode: 'kubeconfig', secretArn: west.kubeconfigSecretArn },
          eventsTokenSecretArn: west.eventsTokenSecretArn,
        },
      ]);
      // The core knows names and namespaces, never how a cluster is reached.
      expect(config.execution.clusters).toEqual([
        { name: 'east', namespace: 'wf' },
        { name: 'west', namespace: 'wf-west' },
      ]);
      expect(config.execution.defaultCluster).toBe('east');
      expect(
        executeConfig(clusters([east, west], { DEFAULT_CLUSTER: 'west' })).execution.defaultCluster,
      ).toBe('west');
    });

    it('WE-16: the events sink reads each cluster’s token secret, and no access', () => {
      const sink = eventsSinkConfig({
        EVENTS_QUEUE_URL: base.QUEUE_URL,
        CLUSTERS: JSON.stringify([{ name: 'east', auth: 'local' }, west]),
      });
      expect(sink.tokenSecretArns).toEqual([
        { cluster: 'east', secretArn: undefined },
        { cluster: 'west', secretArn: west.eventsTokenSecretArn },
      ]);
      expect(
        eventsSinkConfig({
          EVENTS_QUEUE_URL: base.QUEUE_URL,
          EVENTS_TOKEN_SECRET_ARN: 'arn:t',
          CLUSTER_NAME: 'one',
        }).tokenSecretArns,
      ).toEqual([{ cluster: 'one', secretArn: 'arn:t' }]);
    });

    it.each([
      ['not json', 'CLUSTERS must be a JSON array of clusters'],
      [[], 'CLUSTERS must be a JSON array of at least one cluster'],
      [[{ ...east, name: 'East_1' }], 'CLUSTERS entry 1 ("East_1"): name must be a DNS label'],
      [[{ ...east, name: 'a'.repeat(64) }], 'name must be a DNS label'],
      [[east, { ...west, name: 'east' }], 'CLUSTERS entry 2 ("east"): name is listed twice'],
      [
        [{ name: 'east', auth: 'eks' }],
        'CLUSTERS entry 1 ("east"): eksClusterName is required when auth is "eks"',
      ],
      [[{ name: 'west', auth: 'kubeconfig' }], 'kubeconfigSecretArn is required when auth is "kubeconfig"'],
      [[{ name: 'dev', auth: 'local' }], 'CLUSTERS entry 1 ("dev"): kubeconfig (a path) is required'],
      [[{ ...east, auth: 'gke' }], 'CLUSTERS entry 1 ("east"): auth'],
      [[{ ...east, namespace: 'Bad_NS' }], 'CLUSTERS entry 1 ("east"): namespace: must be a namespace name'],
    ])(
      'WE-16: a bad CLUSTERS fails at start-up naming the variable and the entry: %j',
      (entries, message) => {
        const env = typeof entries === 'string' ? { ...noAccess, CLUSTERS: entries } : clusters(entries);
        expect(() => executeConfig(env)).toThrow(ConfigError);
        expect(() => executeConfig(env)).toThrow(message);
      },
    );

    it('WE-16: DEFAULT_CLUSTER must be a listed name', () => {
      expect(() =>
        eventsConfig({ ...clusters([east]), TIMER_QUEUE_URL: base.QUEUE_URL, DEFAULT_CLUSTER: 'west' }),
      ).toThrow('DEFAULT_CLUSTER "west" is not a name in CLUSTERS (east)');
    });
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
      tokenSecretArns: [{ cluster: 'default', secretArn: 'arn:x' }],
    });
    expect(() => eventsSinkConfig({ EVENTS_TOKEN_SECRET_ARN: 'arn:x' })).toThrow('EVENTS_QUEUE_URL');
  });
});
