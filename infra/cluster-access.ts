/**
 * How execute and reconcile reach the cluster (SPEC §4): an EKS IAM token (DescribeCluster on
 * that one cluster, plus an access entry mapping both roles to a Kubernetes group that
 * infra/cluster-rbac.yaml binds), or a kubeconfig kept in Secrets Manager.
 */
import { Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ClusterConfig } from './config.js';
import type { LambdaFunction } from './lambda-function.js';

export interface ClusterAccessProps {
  cluster: ClusterConfig;
  /** The functions that call the Kubernetes API. */
  callers: LambdaFunction[];
}

export class ClusterAccess extends Construct {
  constructor(scope: Construct, id: string, { cluster, callers }: ClusterAccessProps) {
    super(scope, id);
    if (cluster.auth === 'kubeconfig') {
      for (const caller of callers) {
        caller.fn.addEnvironment('CLUSTER_AUTH', 'kubeconfig');
        caller.fn.addEnvironment('KUBECONFIG_SECRET_ARN', cluster.kubeconfigSecretArn);
        caller.role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'Kubeconfig',
            actions: ['secretsmanager:GetSecretValue'],
            resources: [cluster.kubeconfigSecretArn],
          }),
        );
      }
      return;
    }

    const name = cluster.eksClusterName;
    for (const caller of callers) caller.fn.addEnvironment('CLUSTER_AUTH', 'eks');
    // Without a cluster name the functions refuse to start, naming EKS_CLUSTER_NAME; the app warns at synth.
    if (!name) return;
    const clusterArn = Stack.of(this).formatArn({ service: 'eks', resource: 'cluster', resourceName: name });
    for (const caller of callers) {
      caller.fn.addEnvironment('EKS_CLUSTER_NAME', name);
      // The API endpoint and CA come from DescribeCluster; the token itself is a presigned STS call.
      caller.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'DescribeCluster',
          actions: ['eks:DescribeCluster'],
          resources: [clusterArn],
        }),
      );
      if (cluster.createAccessEntry) {
        new CfnAccessEntry(this, `${caller.node.id}AccessEntry`, {
          clusterName: name,
          principalArn: caller.role.roleArn,
          kubernetesGroups: [cluster.kubernetesGroup],
          type: 'STANDARD',
        });
      }
    }
  }
}
