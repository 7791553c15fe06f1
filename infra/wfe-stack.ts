/**
 * This app's one stack: the settings from CDK context, the VPC imported by id when given, and the
 * WorkflowExecutionService built from them.
 */
import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { WfeSettings } from './config.js';
import {
  type ClusterReference,
  type ExistingVpc,
  WorkflowExecutionService,
} from './workflow-execution-service.js';

export interface WfeStackProps extends StackProps {
  settings: WfeSettings;
}

export class WfeStack extends Stack {
  readonly service: WorkflowExecutionService;

  constructor(scope: Construct, id: string, props: WfeStackProps) {
    super(scope, id, props);
    const {
      stackName: _stackName,
      clusterAuth,
      eksClusterName,
      createAccessEntry,
      kubernetesGroup,
      kubeconfigSecretArn,
      clusterName,
      clusters,
      defaultCluster,
      vpcId,
      subnetIds,
      securityGroupId,
      ...settings
    } = props.settings;
    // parseSettings has already required the secret with clusterAuth=kubeconfig.
    const cluster: ClusterReference | undefined =
      clusterAuth === 'kubeconfig'
        ? { kubeconfigSecretArn: kubeconfigSecretArn ?? '', clusterName }
        : eksClusterName
          ? { eksClusterName, createAccessEntry, kubernetesGroup, clusterName }
          : undefined;
    const vpc =
      vpcId && subnetIds && securityGroupId ? this.importVpc(vpcId, subnetIds, securityGroupId) : undefined;
    // parseSettings has already required exactly one kind of access per entry.
    const fleet = clusters && {
      clusters: clusters.map(({ eksClusterName, kubeconfigSecretArn, ...entry }) =>
        kubeconfigSecretArn
          ? { ...entry, kubeconfigSecretArn }
          : { ...entry, eksClusterName: eksClusterName ?? '' },
      ),
      defaultCluster,
      createAccessEntry,
      kubernetesGroup,
    };
    // The hidden id 'Default' leaves the construct out of every logical id, so the resources keep the
    // ids they had when this stack held them directly, and a deployed stack updates in place.
    this.service = new WorkflowExecutionService(this, 'Default', { cluster, fleet, settings, vpc });
  }

  /** Nothing is looked up, so synth stays offline. */
  private importVpc(vpcId: string, subnetIds: string[], securityGroupId: string): ExistingVpc {
    return {
      // Never used to pick subnets (they are given by id); a token keeps synth offline.
      vpc: Vpc.fromVpcAttributes(this, 'Vpc', { vpcId, availabilityZones: Fn.getAzs() }),
      subnets: subnetIds.map((subnetId) => Subnet.fromSubnetId(this, subnetId, subnetId)),
      // Immutable: the security group is the operator's, and its rules stay theirs.
      securityGroup: SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', securityGroupId, {
        mutable: false,
      }),
    };
  }
}
