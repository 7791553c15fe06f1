/**
 * `wfe list`: executions of a namespace (or all), optionally of one phase or target, as a
 * kubectl-like table, oldest first; paged with --limit/--continue, followed with -w.
 */

import type { Execution } from '../../functions/core/execution.js';
import { Phase } from '../../functions/core/execution.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { UsageError } from '../cli-error.js';
import { CONNECTION_HELP } from '../connect.js';
import {
  EXECUTION_HEADERS,
  EXECUTION_WIDE_HEADERS,
  executionName,
  executionResource,
  executionRow,
} from '../execution-view.js';
import { listCommand, NAMESPACE_OPTIONS, namespaceFlag, PAGE_HELP, textFlag } from '../list-command.js';

const PHASES: readonly string[] = Object.values(Phase);

export const list = listCommand<Execution>({
  name: 'list',
  help: `Usage: wfe list [-n NAMESPACE | -A] [--phase PHASE] [--target TARGET] [--limit N [--continue TOKEN]]
                [-w] [-o json|yaml|wide|name] [--stack NAME]

Lists WorkflowExecutions, oldest first: those of the deployment's namespace (its execution
namespace) unless -n or -A says otherwise.

Options:
  -n, --namespace NS   only this namespace
  -A, --all-namespaces every namespace
  --phase PHASE        only this phase: ${PHASES.join(', ')}
  --target TARGET      only this target resource (exact, e.g. payment/Deployment/payment-api)
${PAGE_HELP}
  -o, --output FORMAT  table (default), wide, json, yaml or name (execution/NAMESPACE/NAME)
${CONNECTION_HELP}
`,
  options: { ...NAMESPACE_OPTIONS, phase: { type: 'string' }, target: { type: 'string' } },
  query(flags) {
    const phase = textFlag(flags, 'phase');
    if (phase !== undefined && !PHASES.includes(phase))
      throw new UsageError(`--phase must be one of ${PHASES.join(', ')}, got "${phase}"`);
    const target = textFlag(flags, 'target');
    return (connection) => {
      const namespace = namespaceFlag('list', flags, connection.settings.namespace);
      return {
        read: (request) =>
          connection.listing.executions({ namespace, phase: phase as Phase | undefined, target }, request),
        empty: `No executions found${namespace === undefined ? '' : ` in namespace ${namespace}`}.`,
      };
    };
  },
  view: (now) => ({
    document: (items, metadata) => ({
      apiVersion: 'v1',
      kind: 'List',
      ...(metadata ? { metadata } : {}),
      items,
    }),
    resource: executionResource,
    name: (e) => `execution/${executionName(e)}`,
    headers: EXECUTION_HEADERS,
    wideHeaders: EXECUTION_WIDE_HEADERS,
    row: (e, wide) => executionRow(e, now, wide),
  }),
  watch: {
    identity: (e) => executionKey(e.id),
    revision: (e) => String(e.version),
    reread: (e, connection) => connection.store.read(e.id),
  },
});
