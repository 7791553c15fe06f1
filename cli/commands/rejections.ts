/**
 * `wfe rejections`: the requests refused into the dead-letter queue and why, read from the table,
 * where the reason is kept even when the request filled the dead letter to the queue's size limit.
 */
import type { Rejection } from '../../functions/core/ports.js';
import { CONNECTION_HELP } from '../connect.js';
import { listCommand } from '../list-command.js';
import { age } from '../print.js';

const HEADERS = ['MESSAGE-ID', 'BYTES', 'AGE', 'REASON'];

export const rejections = listCommand<Rejection>({
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
  options: {},
  query: () => (connection) => connection.listing.rejections().then((p) => p.items),
  view: (now) => ({
    document: (items) => ({ items }),
    resource: (r) => r,
    empty: 'No rejected requests.',
    headers: HEADERS,
    wideHeaders: HEADERS,
    row: (r) => [r.messageId, String(r.bytes), age(r.at, now), r.reason],
  }),
});
