/**
 * `NS/NAME` on the command line: an execution's identity (namespace `default` when only NAME is given).
 */
import type { ExecutionId } from '../functions/core/execution-id.js';
import { UsageError } from './cli-error.js';

export function parseExecutionRef(command: string, text: string): ExecutionId {
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((p) => p.length === 0))
    throw new UsageError(`"${text}" is not an execution: write NAMESPACE/NAME (see wfe ${command} --help)`);
  return parts.length === 2
    ? { namespace: parts[0]!, name: parts[1]! }
    : { namespace: 'default', name: parts[0]! };
}
