/**
 * Optional VPC placement (for private cluster endpoints) in the operator's own VPC, subnets and
 * security group. The VPC needs a route to the AWS APIs the functions call (NAT or
 * interface/gateway endpoints); README "Deploy to AWS" lists them.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet, IVpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ExistingVpc } from './workflow-execution-service.js';

export class VpcPlacement extends Construct {
  readonly vpc: IVpc;
  readonly subnets: ISubnet[];
  readonly securityGroup: ISecurityGroup;

  constructor(scope: Construct, id: string, { vpc, subnets, securityGroup }: ExistingVpc) {
    super(scope, id);
    this.vpc = vpc;
    this.subnets = subnets;
    this.securityGroup = securityGroup;
  }

  get functionProps() {
    return { vpc: this.vpc, vpcSubnets: { subnets: this.subnets }, securityGroups: [this.securityGroup] };
  }

  /** The network-interface permissions Lambda uses, on the execution role, to attach to the VPC. */
  grantAttach(role: Role): void {
    const stack = Stack.of(this);
    const ec2 = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ec2', resource, resourceName });
    const networkInterfaces = ec2('network-interface', '*');
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'VpcCreateInterfaces',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          networkInterfaces,
          ...this.subnets.map((s) => ec2('subnet', s.subnetId)),
          ec2('security-group', this.securityGroup.securityGroupId),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'VpcManageInterfaces',
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: [networkInterfaces],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'VpcDescribe',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    );
    const reason =
      'Lambda attaches to the VPC through network interfaces that exist only once Lambda creates them, so they are named by the account/region ARN pattern; EC2 Describe* actions support no resource-level permissions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).';
    // cdk-nag names the ARN as synthesized: pseudo parameters where the stack is
    // environment-agnostic, the concrete account and region where the CLI gives them.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const interfacesArn = `arn:${shown(stack.partition, 'AWS::Partition')}:ec2:${shown(stack.region, 'AWS::Region')}:${shown(stack.account, 'AWS::AccountId')}:network-interface/*`;
    for (const finding of ['Resource::*', `Resource::${interfacesArn}`])
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason,
      });
  }
}
