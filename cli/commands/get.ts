/**
 * `wfe get NS/NAME`: one execution, as a table row or the WorkflowExecution object with its status.
 */
import { executionKey } from '../../functions/core/execution-id.js';
import { CliError } from '../cli-error.js';
import { type Command, onePositional, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { parseExecutionRef } from '../execution-ref.js';
import {
  EXECUTION_HEADERS,
  EXECUTION_WIDE_HEADERS,
  executionResource,
  executionRow,
} from '../execution-view.js';
import { json, OUTPUT_OPTION, outputFormat, table, yaml } from '../print.js';

const OPTIONS = { ...OUTPUT_OPTION, ...CONNECTION_OPTIONS } as const;

export const get: Command = {
  name: 'get',
  help: `Usage: wfe get NAMESPACE/NAME [-o json|yaml|wide] [--stack NAME]

Shows one WorkflowExecution. -o json and -o yaml print the whole object (apiVersion, kind,
metadata, spec, status), with the status shaped like the CRD's: phase, times, pipelineRunRef,
failureDetails, deduplicatedBy, and conditions as a list. NAME alone means namespace "default".

Options:
  -o, --output FORMAT  table (default), wide, json or yaml
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('get', argv, OPTIONS);
    const id = parseExecutionRef('get', onePositional('get', positionals, 'NAMESPACE/NAME'));
    const format = outputFormat('get', values.output);
    const execution = await withConnection(context, values, async (connection) => {
      const found = await connection.store.read(id);
      if (!found)
        throw new CliError(`workflowexecution ${executionKey(id)} not found in ${connection.where}`);
      return found;
    });
    const now = new Date();
    if (format === 'json') context.out.write(json(executionResource(execution)));
    else if (format === 'yaml') context.out.write(yaml(executionResource(execution)));
    else if (format === 'wide')
      context.out.write(table(EXECUTION_WIDE_HEADERS, [executionRow(execution, now, true)]));
    else context.out.write(table(EXECUTION_HEADERS, [executionRow(execution, now)]));
    return 0;
  },
};
