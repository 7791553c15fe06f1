/**
 * `wfe rejections`: the requests refused into the dead-letter queue and why, read from the table,
 * where the reason is kept even when the request filled the dead letter to the queue's size limit.
 */
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { age, OUTPUT_OPTION, outputFormat, printList } from '../print.js';

const OPTIONS = { ...OUTPUT_OPTION, ...CONNECTION_OPTIONS } as const;
const HEADERS = ['MESSAGE-ID', 'BYTES', 'AGE', 'REASON'];

export const rejections: Command = {
  name: 'rejections',
  help: `Usage: wfe rejections [-o json|yaml] [--stack NAME]

Lists the requests execute refused into the dead-letter queue (no readable identity, or a
different spec under an existing name), oldest first: the dead letter's message id, the
request's size and the reason. A refused request with a readable identity is a Failed
execution instead (wfe get).

Options:
  -o, --output FORMAT  table (default), json or yaml
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('rejections', argv, OPTIONS);
    noPositionals('rejections', positionals);
    const format = outputFormat('rejections', values.output);
    const found = await withConnection(context, values, (connection) => connection.listing.rejections());
    const now = new Date();
    printList(context, format, {
      items: found,
      document: (items) => ({ items }),
      resource: (r) => r,
      empty: 'No rejected requests.',
      headers: HEADERS,
      wideHeaders: HEADERS,
      row: (r) => [r.messageId, String(r.bytes), age(r.at, now), r.reason],
    });
    return 0;
  },
};
