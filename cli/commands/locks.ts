/**
 * `wfe locks`: every target lock with its holder, state and release time.
 */
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { LOCK_HEADERS, LOCK_WIDE_HEADERS, lockResource, lockRow } from '../lock-view.js';
import { json, OUTPUT_OPTION, outputFormat, table, yaml } from '../print.js';

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
    if (format === 'json' || format === 'yaml') {
      const body = { items: found.map(lockResource) };
      context.out.write(format === 'json' ? json(body) : yaml(body));
      return 0;
    }
    if (found.length === 0) {
      context.err.write('No locks held.\n');
      return 0;
    }
    const wide = format === 'wide';
    context.out.write(
      table(
        wide ? LOCK_WIDE_HEADERS : LOCK_HEADERS,
        found.map((l) => lockRow(l, now, wide)),
      ),
    );
    return 0;
  },
};
