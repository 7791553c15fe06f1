/**
 * How execute, reconcile and events reach the clusters (SPEC §4, WE-16): an EKS IAM token
 * (DescribeCluster on exactly those clusters, plus an access entry per cluster mapping each role to a
 * Kubernetes group that infra/cluster-rbac.yaml binds), or a kubeconfig kept in Secrets Manager
 * (GetSecretValue on exactly those secrets). One cluster is named by its own variables; several by
 * CLUSTERS, which infra/functions.ts sets.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterConfig, FleetConfig } from './config.js';
import type { LambdaFunction } from './lambda-function.js';

export interface ClusterAccessProps {
  cluster: ClusterConfig;
  /** Several clusters (WE-16): `cluster` is then not used. */
  fleet?: FleetConfig;
  /** The functions that call the Kubernetes API. */
  callers: LambdaFunction[];
}

export class ClusterAccess extends Construct {
  constructor(scope: Construct, id: string, { cluster, fleet, callers }: ClusterAccessProps) {
    super(scope, id);
    if (fleet) {
      const eks = fleet.clusters.flatMap((c) => (c.access.auth === 'eks' ? [c.access.eksClusterName] : []));
      const kubeconfigs = fleet.clusters.flatMap((c) =>
        c.access.auth === 'kubeconfig' ? [c.access.kubeconfigSecretArn] : [],
      );
      this.grant(callers, eks, kubeconfigs);
      if (fleet.createAccessEntry)
        for (const c of fleet.clusters)
          if (c.access.auth === 'eks')
            this.accessEntries(
              new Construct(this, c.name),
              c.access.eksClusterName,
              fleet.kubernetesGroup,
              callers,
            );
      return;
    }

    if (cluster.auth === 'kubeconfig') {
      for (const caller of callers) {
        caller.fn.addEnvironment('CLUSTER_AUTH', 'kubeconfig');
        caller.fn.addEnvironment('KUBECONFIG_SECRET_ARN', cluster.kubeconfigSecretArn);
      }
      this.grant(callers, [], [cluster.kubeconfigSecretArn]);
      return;
    }

    const name = cluster.eksClusterName;
    for (const caller of callers) caller.fn.addEnvironment('CLUSTER_AUTH', 'eks');
    // Without a cluster name the functions refuse to start, naming EKS_CLUSTER_NAME; the app warns at synth.
    if (!name) return;
    for (const caller of callers) caller.fn.addEnvironment('EKS_CLUSTER_NAME', name);
    this.grant(callers, [name], []);
    if (cluster.createAccessEntry) this.accessEntries(this, name, cluster.kubernetesGroup, callers);
  }

  private grant(callers: LambdaFunction[], eksClusterNames: string[], kubeconfigSecretArns: string[]) {
    const stack = Stack.of(this);
    for (const caller of callers) {
      // The API endpoint and CA come from DescribeCluster; the token itself is a presigned STS call.
      if (eksClusterNames.length > 0)
        caller.role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'DescribeCluster',
            actions: ['eks:DescribeCluster'],
            resources: eksClusterNames.map((name) =>
              stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: name }),
            ),
          }),
        );
      if (kubeconfigSecretArns.length > 0)
        caller.role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'Kubeconfig',
            actions: ['secretsmanager:GetSecretValue'],
            resources: kubeconfigSecretArns,
          }),
        );
    }
  }

  private accessEntries(scope: Construct, clusterName: string, group: string, callers: LambdaFunction[]) {
    for (const caller of callers)
      new CfnAccessEntry(scope, `${caller.node.id}AccessEntry`, {
        clusterName,
        principalArn: caller.role.roleArn,
        kubernetesGroups: [group],
        type: 'STANDARD',
      });
  }
}
