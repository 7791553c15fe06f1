/**
 * `wfe rejections`: the requests refused into the dead-letter queue and why, read from the table,
 * where the reason is kept even when the request filled the dead letter to the queue's size limit.
 */
import type { Rejection } from '../../functions/core/ports.js';
import { CONNECTION_HELP } from '../connect.js';
import { listCommand, PAGE_HELP } from '../list-command.js';
import { age } from '../print.js';

const HEADERS = ['MESSAGE-ID', 'BYTES', 'AGE', 'REASON'];

export const rejections = listCommand<Rejection>({
  name: 'rejections',
  help: `Usage: wfe rejections [--limit N [--continue TOKEN]] [-w] [-o json|yaml|name] [--stack NAME]

Lists the requests execute refused into the dead-letter queue (no readable identity, or a
different spec under an existing name), oldest first: the dead letter's message id, the
request's size and the reason. A refused request with a readable identity is a Failed
execution instead (wfe get). A refused request has no namespace: there is no -n.

Options:
${PAGE_HELP}
  -o, --output FORMAT  table (default), json, yaml or name (rejection/MESSAGE-ID)
${CONNECTION_HELP}
`,
  options: {},
  query: () => (connection) => ({
    read: (request) => connection.listing.rejections(request),
    empty: 'No rejected requests.',
  }),
  view: (now) => ({
    document: (items, metadata) => ({ ...(metadata ? { metadata } : {}), items }),
    resource: (r) => r,
    name: (r) => `rejection/${r.messageId}`,
    headers: HEADERS,
    wideHeaders: HEADERS,
    row: (r) => [r.messageId, String(r.bytes), age(r.at, now), r.reason],
  }),
  watch: {
    identity: (r) => r.messageId,
    revision: (r) => r.at,
    // A rejection only leaves the listing when its retention ends.
    reread: async () => undefined,
  },
});
