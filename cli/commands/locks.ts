/**
 * `wfe locks`: every target lock with its holder, state and release time.
 */
import type { Lock } from '../../functions/core/lock.js';
import { CONNECTION_HELP } from '../connect.js';
import { listCommand } from '../list-command.js';
import { LOCK_HEADERS, LOCK_WIDE_HEADERS, lockResource, lockRow } from '../lock-view.js';

export const locks = listCommand<Lock>({
  name: 'locks',
  help: `Usage: wfe locks [-o json|yaml|wide] [--stack NAME]

Lists the target locks (one per target and cluster): the execution holding it, its state
(acquired: the run is being created; running; cooling: the holder ended and the target cools
down) and when it is released. A lock goes at the end of its cooldown, or with \`wfe release\`.

Options:
  -o, --output FORMAT  table (default), wide, json or yaml
${CONNECTION_HELP}
`,
  options: {},
  query: () => (connection) => connection.listing.locks().then((p) => p.items),
  view: (now) => ({
    document: (items) => ({ items }),
    resource: lockResource,
    empty: 'No locks held.',
    headers: LOCK_HEADERS,
    wideHeaders: LOCK_WIDE_HEADERS,
    row: (l, wide) => lockRow(l, now, wide),
  }),
});
