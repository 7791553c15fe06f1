/**
 * WE-16, deployed: one stack serving the clusters of the `clusters` setting, each with its own events
 * token, its own access entries and grants, and all of them in the functions' CLUSTERS.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { InfraConfigError } from '../../infra/config.js';
import { StackOutput } from '../../infra/outputs.js';
import { FLEET, FLEET_CONTEXT, SECRET_ARN, type Synthesized, synth } from './synth.js';

const fnEnv = (s: Synthesized, name: string) => {
  const found = Object.values(
    s.template.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: `wfe-${name}` },
    }),
  );
  expect(found).toHaveLength(1);
  return (
    (found[0]?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {}
  );
};

/**
 * A JSON value CloudFormation assembles at deploy time (`Fn::Join` of text and Refs), read back with
 * each Ref as `<Ref LOGICAL_ID>`.
 */
function joinedJson(value: unknown): unknown {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const text = join
    ? join[1]
        .map((part) => (typeof part === 'string' ? part : `<Ref ${(part as { Ref: string }).Ref}>`))
        .join('')
    : (value as string);
  return JSON.parse(text);
}

describe('WE-16: a stack for several clusters', () => {
  let s: Synthesized;
  const tokenRef = (name: string) => {
    const secret = s.stack.service.functions.eventsTokens.get(name);
    expect(secret, name).toBeDefined();
    return `<Ref ${s.stack.getLogicalId(secret?.node.defaultChild as CfnSecret)}>`;
  };
  beforeAll(() => {
    s = synth(FLEET_CONTEXT);
  });

  it('makes one events token secret per cluster, and no other', () => {
    s.template.resourceCountIs('AWS::SecretsManager::Secret', FLEET.length);
    expect([...s.stack.service.functions.eventsTokens.keys()]).toEqual(['east', 'west', 'lab']);
    expect(new Set(FLEET.map((c) => tokenRef(c.name))).size).toBe(FLEET.length);
  });

  it('gives the cluster callers every cluster in CLUSTERS, the sink each with its token secret, the first as DEFAULT_CLUSTER', () => {
    const clusters = [
      { name: 'east', auth: 'eks', eksClusterName: 'prod-east' },
      { name: 'west', auth: 'eks', eksClusterName: 'prod-west', namespace: 'remediation' },
      { name: 'lab', auth: 'kubeconfig', kubeconfigSecretArn: SECRET_ARN.kubeconfig },
    ];
    const withTokens = clusters.map((c) => ({ ...c, eventsTokenSecretArn: tokenRef(c.name) }));
    for (const name of ['execute', 'reconcile', 'events', 'events-sink']) {
      const env = fnEnv(s, name);
      expect(joinedJson(env.CLUSTERS), name).toEqual(name === 'events-sink' ? withTokens : clusters);
      expect(env.DEFAULT_CLUSTER, name).toBe('east');
      expect(env.EXECUTION_NAMESPACE ?? 'kubernaut-workflows', name).toBe('kubernaut-workflows');
      // The list replaces the single cluster's variables, so no function reads two answers.
      for (const single of [
        'CLUSTER_NAME',
        'CLUSTER_AUTH',
        'EKS_CLUSTER_NAME',
        'KUBECONFIG_SECRET_ARN',
        'EVENTS_TOKEN_SECRET_ARN',
      ])
        expect(env, `${name} ${single}`).not.toHaveProperty(single);
    }
    expect(fnEnv(s, 'audit-forwarder')).not.toHaveProperty('CLUSTERS');
  });

  it('maps the execute, reconcile and events roles to the group in each EKS cluster, none in the kubeconfig one', () => {
    const { execute, reconcile, events } = s.stack.service.functions;
    for (const clusterName of ['prod-east', 'prod-west'])
      for (const fn of [execute, reconcile, events])
        s.template.hasResourceProperties('AWS::EKS::AccessEntry', {
          ClusterName: clusterName,
          PrincipalArn: s.resolve(fn.role.roleArn),
          KubernetesGroups: ['wfe-executors'],
          Type: 'STANDARD',
        });
    s.template.resourceCountIs('AWS::EKS::AccessEntry', 2 * 3);
    expect(
      synth({ ...FLEET_CONTEXT, createAccessEntry: 'false' }).template.findResources('AWS::EKS::AccessEntry'),
    ).toEqual({});
  });

  it('publishes each cluster’s token secret, and the default cluster as ClusterName', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(joinedJson(outputs[StackOutput.EventsTokenSecrets]?.Value)).toEqual({
      east: tokenRef('east'),
      west: tokenRef('west'),
      lab: tokenRef('lab'),
    });
    expect(outputs).not.toHaveProperty(StackOutput.EventsTokenSecretArn);
    s.template.hasOutput(StackOutput.ClusterName, { Value: 'east' });
    s.template.hasOutput(StackOutput.ExecutionNamespace, { Value: 'kubernaut-workflows' });
  });

  it('takes another default cluster when told', () => {
    const other = synth({ ...FLEET_CONTEXT, defaultCluster: 'west' });
    expect(fnEnv(other, 'execute').DEFAULT_CLUSTER).toBe('west');
    other.template.hasOutput(StackOutput.ClusterName, { Value: 'west' });
  });

  it('warns about no EKS cluster name: each entry names its own access', () => {
    expect(
      Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('eksClusterName is not set')),
    ).toEqual([]);
  });

  it.each([
    [
      [
        { name: 'east', eksClusterName: 'a' },
        { name: 'east', eksClusterName: 'b' },
      ],
      'clusters[1].name: east is listed twice',
    ],
    [[{ name: 'East', eksClusterName: 'a' }], 'clusters[0].name: must be a DNS label'],
    [[{ name: 'east' }], 'clusters[0]: east names no access'],
    [
      [{ name: 'east', eksClusterName: 'a', kubeconfigSecretArn: SECRET_ARN.kubeconfig }],
      'clusters[0]: east gives both eksClusterName and kubeconfigSecretArn',
    ],
    [
      [{ name: 'east', eksClusterName: 'a', namespace: 'Remediation' }],
      'clusters[0].namespace: must be a namespace name',
    ],
  ])('fails synth on %j with one line naming the entry', (clusters, line) => {
    let error: unknown;
    try {
      synth({ clusters: JSON.stringify(clusters) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InfraConfigError);
    expect((error as InfraConfigError).problems).toHaveLength(1);
    expect((error as InfraConfigError).problems[0]).toContain(line);
  });
});
