/**
 * `wfe audit show NS/NAME`: an execution's audit trail as DataStorage holds it, oldest first. The
 * trail is filed under the execution's correlation id; events of other executions sharing it are left
 * out. An event stored twice (a redelivery: the same fields under a new event id) is marked.
 */
import {
  dataStorageAuditQuery,
  type RecordedAuditEvent,
} from '../../functions/adapters/datastorage/audit-query.js';
import { correlationId } from '../../functions/core/correlation.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { CliError } from '../cli-error.js';
import { palette } from '../colour.js';
import { type Command, onePositional, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { CLUSTER_HELP, CLUSTER_OPTIONS, clusterFlag, parseExecutionRef } from '../execution-ref.js';
import { executionResource } from '../execution-view.js';
import { json, OUTPUT_OPTION, outputFormat, table, yaml } from '../print.js';

const OPTIONS = { ...OUTPUT_OPTION, ...CLUSTER_OPTIONS, ...CONNECTION_OPTIONS } as const;
const REQUEST_TIMEOUT_MS = 10_000;

/** Everything but what DataStorage adds when it stores an event: equal for a redelivered one. */
const STORAGE_FIELDS = new Set(['event_id', 'event_date', 'retention_days']);

function content(event: RecordedAuditEvent): string {
  const request = Object.entries(event).filter(([field]) => !STORAGE_FIELDS.has(field));
  return JSON.stringify(request.sort(([a], [b]) => (a < b ? -1 : 1)));
}

const oldestFirst = (a: RecordedAuditEvent, b: RecordedAuditEvent) =>
  Date.parse(a.event_timestamp) - Date.parse(b.event_timestamp) ||
  (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

/** The trail in order, each event with the event id of the first copy when it is a duplicate. */
export function trail(events: readonly RecordedAuditEvent[]) {
  const first = new Map<string, RecordedAuditEvent>();
  return [...events].sort(oldestFirst).map((event) => {
    const key = content(event);
    const original = first.get(key);
    if (!original) first.set(key, event);
    return { event, duplicateOf: original?.event_id };
  });
}

export const auditShow: Command = {
  name: 'audit show',
  options: OPTIONS,
  help: `Usage: wfe audit show NAMESPACE/NAME [-o json|yaml] [--stack NAME]

Shows the audit trail DataStorage holds for one execution, oldest first: each event's time, type,
outcome, the phase it records and who acted. The trail is read with DataStorage's query API by the
execution's correlation id (its kubernaut.ai/correlation-id label, else its RemediationRequest,
else its name). An event stored more than once (delivered again after a lost answer or a redrive)
is marked "duplicate of" the first copy. NAME alone means namespace "default".

Options:
  -o, --output FORMAT  table (default), json or yaml (the events as DataStorage returns them, each
                       with duplicateOf set on a duplicate)
${CLUSTER_HELP}
${CONNECTION_HELP}
  Against AWS, DataStorage is the stack's DataStorageUrl (with its DataStorageTokenSecretArn, when set).
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('audit show', argv, OPTIONS);
    const ref = onePositional('audit show', positionals, 'NAMESPACE/NAME');
    const cluster = clusterFlag('audit show', values.cluster);
    const format = outputFormat('audit show', values.output);
    let key = ref;
    const { events, known } = await withConnection(context, values, async (connection) => {
      const id = parseExecutionRef('audit show', ref, cluster ?? connection.settings.defaultCluster);
      key = executionKey(id);
      const execution = await connection.store.read(id);
      // An execution gone from the table may still have its trail: its name is the fallback id.
      const correlation = execution
        ? correlationId(executionResource(execution) as Parameters<typeof correlationId>[0])
        : id.name;
      const query = dataStorageAuditQuery({ ...connection.dataStorage(), timeoutMs: REQUEST_TIMEOUT_MS });
      const found = await query.events({ correlation_id: correlation, event_category: 'workflow' });
      const own = found.filter(
        (e) =>
          e.resource_id === id.name &&
          e.namespace === id.namespace &&
          (e.cluster_name === undefined || e.cluster_name === null || e.cluster_name === id.cluster),
      );
      return { events: own, known: execution !== undefined };
    });
    if (events.length === 0 && !known)
      throw new CliError(`workflowexecution ${key} not found, and DataStorage holds no audit events for it`);
    const rows = trail(events);
    if (format === 'json' || format === 'yaml') {
      const items = rows.map(({ event, duplicateOf }) => (duplicateOf ? { ...event, duplicateOf } : event));
      context.out.write((format === 'json' ? json : yaml)({ items }));
      return 0;
    }
    if (rows.length === 0) {
      context.out.write(`No audit events for ${key} in DataStorage yet.\n`);
      return 0;
    }
    const paint = palette(context);
    const numbers = new Map(rows.map(({ event }, i) => [event.event_id, i + 1]));
    const lines = table(
      ['#', 'TIME', 'EVENT', 'OUTCOME', 'PHASE', 'ACTOR', 'NOTE'],
      rows.map(({ event, duplicateOf }, i) => [
        String(i + 1),
        event.event_timestamp,
        event.event_type,
        event.event_outcome,
        String(event.event_data?.phase ?? ''),
        `${event.actor_type}/${event.actor_id}`,
        duplicateOf ? `duplicate of #${numbers.get(duplicateOf)}` : '',
      ]),
    ).split('\n');
    // Only wfe's own words are coloured: the marker, last on its line, after the table escaped the rest.
    const marked = lines.map((line, i) =>
      rows[i - 1]?.duplicateOf ? line.replace(/duplicate of #\d+$/, (note) => paint.yellow(note)) : line,
    );
    context.out.write(marked.join('\n'));
    return 0;
  },
};
