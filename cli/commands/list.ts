/**
 * `wfe list`: every execution, optionally of one phase or target, as a kubectl-like table.
 */
import { Phase } from '../../functions/core/execution.js';
import { UsageError } from '../cli-error.js';
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import {
  EXECUTION_HEADERS,
  EXECUTION_WIDE_HEADERS,
  executionResource,
  executionRow,
} from '../execution-view.js';
import { OUTPUT_OPTION, outputFormat, printList } from '../print.js';

const OPTIONS = {
  phase: { type: 'string' },
  target: { type: 'string' },
  ...OUTPUT_OPTION,
  ...CONNECTION_OPTIONS,
} as const;

const PHASES: readonly string[] = Object.values(Phase);

export const list: Command = {
  name: 'list',
  help: `Usage: wfe list [--phase PHASE] [--target TARGET] [-o json|yaml|wide] [--stack NAME]

Lists WorkflowExecutions, oldest first, in all namespaces.

Options:
  --phase PHASE        only this phase: ${PHASES.join(', ')}
  --target TARGET      only this target resource (exact, e.g. payment/Deployment/payment-api)
  -o, --output FORMAT  table (default), wide, json or yaml
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('list', argv, OPTIONS);
    noPositionals('list', positionals);
    const format = outputFormat('list', values.output);
    const phase = values.phase;
    if (phase !== undefined && !PHASES.includes(phase))
      throw new UsageError(`--phase must be one of ${PHASES.join(', ')}, got "${phase}"`);
    const executions = await withConnection(context, values, (connection) =>
      connection.listing.executions({ phase: phase as Phase | undefined, target: values.target }),
    );
    const now = new Date();
    printList(context, format, {
      items: executions,
      document: (items) => ({ apiVersion: 'v1', kind: 'List', items }),
      resource: executionResource,
      empty: 'No executions found.',
      headers: EXECUTION_HEADERS,
      wideHeaders: EXECUTION_WIDE_HEADERS,
      row: (e, wide) => executionRow(e, now, wide),
    });
    return 0;
  },
};
