/**
 * `wfe list`: every execution, optionally of one phase or target, as a kubectl-like table.
 */

import type { Execution } from '../../functions/core/execution.js';
import { Phase } from '../../functions/core/execution.js';
import { UsageError } from '../cli-error.js';
import { CONNECTION_HELP } from '../connect.js';
import {
  EXECUTION_HEADERS,
  EXECUTION_WIDE_HEADERS,
  executionResource,
  executionRow,
} from '../execution-view.js';
import { listCommand } from '../list-command.js';

const PHASES: readonly string[] = Object.values(Phase);

export const list = listCommand<Execution>({
  name: 'list',
  help: `Usage: wfe list [--phase PHASE] [--target TARGET] [-o json|yaml|wide] [--stack NAME]

Lists WorkflowExecutions, oldest first, in all namespaces.

Options:
  --phase PHASE        only this phase: ${PHASES.join(', ')}
  --target TARGET      only this target resource (exact, e.g. payment/Deployment/payment-api)
  -o, --output FORMAT  table (default), wide, json or yaml
${CONNECTION_HELP}
`,
  options: { phase: { type: 'string' }, target: { type: 'string' } },
  query({ phase, target }) {
    if (phase !== undefined && !PHASES.includes(phase))
      throw new UsageError(`--phase must be one of ${PHASES.join(', ')}, got "${phase}"`);
    return (connection) =>
      connection.listing.executions({ phase: phase as Phase | undefined, target }).then((p) => p.items);
  },
  view: (now) => ({
    document: (items) => ({ apiVersion: 'v1', kind: 'List', items }),
    resource: executionResource,
    empty: 'No executions found.',
    headers: EXECUTION_HEADERS,
    wideHeaders: EXECUTION_WIDE_HEADERS,
    row: (e, wide) => executionRow(e, now, wide),
  }),
});
