/**
 * The stack's output keys: the `wfe` CLI finds a deployed system by reading these from
 * CloudFormation, so they are part of the interface and never renamed. No CDK imports here, so
 * the CLI can import this file.
 */
export const StackOutput = {
  QueueUrl: 'QueueUrl',
  DlqUrl: 'DlqUrl',
  AuditDlqUrl: 'AuditDlqUrl',
  TableName: 'TableName',
  DashboardName: 'DashboardName',
  DashboardUrl: 'DashboardUrl',
  ExecuteFunctionName: 'ExecuteFunctionName',
  ReconcileFunctionName: 'ReconcileFunctionName',
  AuditForwarderFunctionName: 'AuditForwarderFunctionName',
  ExecuteRoleArn: 'ExecuteRoleArn',
  ReconcileRoleArn: 'ReconcileRoleArn',
  AlarmTopicArn: 'AlarmTopicArn',
  /** Tekton's CloudEvents sink (WE-13), without the token its path ends with. */
  EventsSinkUrl: 'EventsSinkUrl',
  /** One cluster's events token secret; with several clusters (WE-16), EventsTokenSecrets instead. */
  EventsTokenSecretArn: 'EventsTokenSecretArn',
  /** Several clusters (WE-16): JSON `{ "CLUSTER": "SECRET_ARN" }`, each cluster's events token secret. */
  EventsTokenSecrets: 'EventsTokenSecrets',
  /** The settings the functions run with that a CLI command needs too (lock keys, runs, audit). */
  ExecutionNamespace: 'ExecutionNamespace',
  /** The cluster of a request that names none (with several clusters, the default one). */
  ClusterName: 'ClusterName',
  DataStorageUrl: 'DataStorageUrl',
  /** Present only when the stack was deployed with a DataStorage token. */
  DataStorageTokenSecretArn: 'DataStorageTokenSecretArn',
} as const;
export type StackOutput = (typeof StackOutput)[keyof typeof StackOutput];
