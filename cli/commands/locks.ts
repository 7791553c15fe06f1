/**
 * `wfe locks`: every target lock with its holder, state and release time.
 */
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { LOCK_HEADERS, LOCK_WIDE_HEADERS, lockResource, lockRow } from '../lock-view.js';
import { OUTPUT_OPTION, outputFormat, printList } from '../print.js';

const OPTIONS = { ...OUTPUT_OPTION, ...CONNECTION_OPTIONS } as const;

export const locks: Command = {
  name: 'locks',
  help: `Usage: wfe locks [-o json|yaml|wide] [--stack NAME]

Lists the target locks (one per target and cluster): the execution holding it, its state
(acquired: the run is being created; running; cooling: the holder ended and the target cools
down) and when it is released. A lock goes at the end of its cooldown, or with \`wfe release\`.

Options:
  -o, --output FORMAT  table (default), wide, json or yaml
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('locks', argv, OPTIONS);
    noPositionals('locks', positionals);
    const format = outputFormat('locks', values.output);
    const found = await withConnection(context, values, (connection) => connection.listing.locks());
    const now = new Date();
    printList(context, format, {
      items: found,
      document: (items) => ({ items }),
      resource: lockResource,
      empty: 'No locks held.',
      headers: LOCK_HEADERS,
      wideHeaders: LOCK_WIDE_HEADERS,
      row: (l, wide) => lockRow(l, now, wide),
    });
    return 0;
  },
};
