/**
 * An execution named on the command line: `CLUSTER/NAMESPACE/NAME`, or `NAMESPACE/NAME` and `NAME`
 * (namespace `default`) in the cluster --cluster names, else the deployment's default cluster
 * (WE-16).
 */
import type { ExecutionId } from '../functions/core/execution-id.js';
import { UsageError } from './cli-error.js';

/** The --cluster flag every command naming an execution, a lock or a listing takes. */
export const CLUSTER_OPTIONS = { cluster: { type: 'string' } } as const;

export const CLUSTER_HELP = `  --cluster NAME       the cluster (default: the deployment's default cluster; listings: every cluster)`;

export function parseExecutionRef(command: string, text: string, cluster: string): ExecutionId {
  const parts = text.split('/');
  if (parts.length > 3 || parts.some((p) => p.length === 0))
    throw new UsageError(
      `"${text}" is not an execution: write [CLUSTER/]NAMESPACE/NAME (see wfe ${command} --help)`,
    );
  if (parts.length === 3) return { cluster: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  return parts.length === 2
    ? { cluster, namespace: parts[0]!, name: parts[1]! }
    : { cluster, namespace: 'default', name: parts[0]! };
}

/** The --cluster flag's value, refused when empty. */
export function clusterFlag(command: string, value: string | undefined): string | undefined {
  if (value === '') throw new UsageError(`--cluster needs a cluster name (see wfe ${command} --help)`);
  return value;
}
