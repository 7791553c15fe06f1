/**
 * `wfe list`: executions of a namespace (or all), optionally of one phase or target, as a
 * kubectl-like table, oldest first; paged with --limit/--continue, followed with -w.
 */

import type { Execution } from '../../functions/core/execution.js';
import { Phase } from '../../functions/core/execution.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { UsageError } from '../cli-error.js';
import { CONNECTION_HELP, clusterNames, defaultNamespace } from '../connect.js';
import { CLUSTER_OPTIONS, clusterFlag } from '../execution-ref.js';
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
  help: `Usage: wfe list [-n NAMESPACE | -A] [--cluster NAME] [--phase PHASE] [--target TARGET]
                [--limit N [--continue TOKEN]] [-w] [-o json|yaml|wide|name] [--stack NAME]

Lists WorkflowExecutions, oldest first: those of the deployment's namespace (its default cluster's
execution namespace) unless -n or -A says otherwise, in every cluster it serves unless --cluster
names one (an execution refused for naming a cluster the deployment does not serve is listed with
--cluster and that name).

Options:
  -n, --namespace NS   only this namespace
  -A, --all-namespaces every namespace
  --phase PHASE        only this phase: ${PHASES.join(', ')}
  --target TARGET      only this target resource (exact, e.g. payment/Deployment/payment-api)
  --cluster NAME       only this cluster
${PAGE_HELP}
  -o, --output FORMAT  table (default), wide, json, yaml or name (execution/CLUSTER/NAMESPACE/NAME)
${CONNECTION_HELP}
`,
  options: {
    ...NAMESPACE_OPTIONS,
    ...CLUSTER_OPTIONS,
    phase: { type: 'string' },
    target: { type: 'string' },
  },
  query(flags) {
    const phase = textFlag(flags, 'phase');
    if (phase !== undefined && !PHASES.includes(phase))
      throw new UsageError(`--phase must be one of ${PHASES.join(', ')}, got "${phase}"`);
    const target = textFlag(flags, 'target');
    const cluster = clusterFlag('list', textFlag(flags, 'cluster'));
    return (connection) => {
      const namespace = namespaceFlag('list', flags, defaultNamespace(connection.settings));
      const clusters = cluster === undefined ? clusterNames(connection.settings) : [cluster];
      return {
        read: (request) =>
          connection.listing.executions(
            { clusters, namespace, phase: phase as Phase | undefined, target },
            request,
          ),
        empty: `No executions found${namespace === undefined ? '' : ` in namespace ${namespace}`}${cluster === undefined ? '' : ` in cluster ${cluster}`}.`,
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
