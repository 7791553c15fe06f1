/**
 * `wfe get NS/NAME`: one execution, as a table row or the WorkflowExecution object with its status;
 * with -w, again at each change until it ends.
 */
import { type Execution, isTerminal } from '../../functions/core/execution.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { CliError } from '../cli-error.js';
import { type Command, onePositional, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { CLUSTER_HELP, CLUSTER_OPTIONS, clusterFlag, parseExecutionRef } from '../execution-ref.js';
import {
  EXECUTION_HEADERS,
  EXECUTION_WIDE_HEADERS,
  executionName,
  executionResource,
  executionRow,
} from '../execution-view.js';
import {
  columnWidths,
  json,
  OUTPUT_OPTION,
  type OutputFormat,
  outputFormat,
  tableLine,
  yaml,
} from '../print.js';
import { pause, WATCH_INTERVAL_MS } from '../watch.js';

const OPTIONS = {
  ...OUTPUT_OPTION,
  watch: { type: 'boolean', short: 'w' },
  ...CLUSTER_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const;

/** The execution as -o asks; `widths` set: a table row under the first one's header. */
function shown(format: OutputFormat, execution: Execution, widths?: readonly number[]): string {
  if (format === 'json') return json(executionResource(execution));
  if (format === 'yaml') return `${widths ? '---\n' : ''}${yaml(executionResource(execution))}`;
  if (format === 'name') return tableLine([`execution/${executionName(execution)}`], []);
  const wide = format === 'wide';
  const headers = wide ? EXECUTION_WIDE_HEADERS : EXECUTION_HEADERS;
  const row = executionRow(execution, new Date(), wide);
  const columns = widths ?? columnWidths(headers, [row]);
  return `${widths ? '' : tableLine(headers, columns)}${tableLine(row, columns)}`;
}

export const get: Command = {
  name: 'get',
  options: OPTIONS,
  help: `Usage: wfe get NAMESPACE/NAME [-w] [-o json|yaml|wide|name] [--stack NAME]

Shows one WorkflowExecution. -o json and -o yaml print the whole object (apiVersion, kind,
metadata, spec, status), with the status shaped like the CRD's: phase, times, pipelineRunRef,
failureDetails, deduplicatedBy, and conditions as a list. NAME alone means namespace "default".

Options:
  -w, --watch          print it again at each change, until it ends (Completed or Failed) or Ctrl-C
  -o, --output FORMAT  table (default), wide, json, yaml or name
${CLUSTER_HELP}
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('get', argv, OPTIONS);
    const ref = onePositional('get', positionals, 'NAMESPACE/NAME');
    const cluster = clusterFlag('get', values.cluster);
    const format = outputFormat('get', values.output);
    await withConnection(context, values, async (connection) => {
      const id = parseExecutionRef('get', ref, cluster ?? connection.settings.defaultCluster);
      let execution = await connection.store.read(id);
      if (!execution)
        throw new CliError(`workflowexecution ${executionKey(id)} not found in ${connection.where}`);
      context.out.write(shown(format, execution));
      if (!values.watch) return;
      const wide = format === 'wide';
      const widths = columnWidths(wide ? EXECUTION_WIDE_HEADERS : EXECUTION_HEADERS, [
        executionRow(execution, new Date(), wide),
      ]);
      const signal = context.stopSignal();
      while (!isTerminal(execution.status.phase) && (await pause(WATCH_INTERVAL_MS, signal))) {
        const now = await connection.store.read(id);
        if (!now || now.version === execution.version) continue;
        execution = now;
        context.out.write(shown(format, execution, widths));
      }
    });
    return 0;
  },
};
