/**
 * `wfe locks`: target locks with their holder, state and release time; paged with
 * --limit/--continue, followed with -w.
 */
import type { Lock } from '../../functions/core/lock.js';
import { CONNECTION_HELP, clusterNames } from '../connect.js';
import { CLUSTER_OPTIONS, clusterFlag } from '../execution-ref.js';
import { listCommand, NAMESPACE_OPTIONS, namespaceFlag, PAGE_HELP, textFlag } from '../list-command.js';
import { LOCK_HEADERS, LOCK_WIDE_HEADERS, lockResource, lockRow } from '../lock-view.js';

const STATE_COLUMN = LOCK_HEADERS.indexOf('STATE');
const RELEASE_COLUMN = LOCK_HEADERS.indexOf('RELEASE');

export const locks = listCommand<Lock>({
  name: 'locks',
  help: `Usage: wfe locks [-n NAMESPACE | -A] [--cluster NAME] [--target TARGET] [--limit N [--continue TOKEN]]
                 [-w] [-o json|yaml|wide|name] [--stack NAME]

Lists the target locks (one per target and cluster), by target: the execution holding it, its
state (acquired: the run is being created; running; cooling: the holder ended and the target
cools down) and when it is released. A lock goes at the end of its cooldown, or with
\`wfe release\`. Locks are cluster-wide, as targets are: all of them, in every cluster the
deployment serves, unless -n names the namespace of the executions holding them or --cluster
names one cluster. With -w, a lock that goes prints as released.

Options:
  -n, --namespace NS   only locks held by executions of this namespace
  -A, --all-namespaces every lock (the default)
  --target TARGET      only this target resource (exact), in every cluster
  --cluster NAME       only this cluster's locks
${PAGE_HELP}
  -o, --output FORMAT  table (default), wide, json, yaml or name (lock/CLUSTER/TARGET)
${CONNECTION_HELP}
`,
  options: { ...NAMESPACE_OPTIONS, ...CLUSTER_OPTIONS, target: { type: 'string' } },
  query(flags) {
    const target = textFlag(flags, 'target');
    const cluster = clusterFlag('locks', textFlag(flags, 'cluster'));
    return (connection) => {
      const namespace = namespaceFlag('locks', flags, undefined);
      const clusters = cluster === undefined ? clusterNames(connection.settings) : [cluster];
      return {
        read: (request) => connection.listing.locks({ clusters, namespace, target }, request),
        empty: `No locks held${namespace === undefined ? '' : ` by executions of namespace ${namespace}`}.`,
      };
    };
  },
  view: (now) => ({
    document: (items, metadata) => ({ ...(metadata ? { metadata } : {}), items }),
    resource: lockResource,
    name: (l) => `lock/${l.cluster}/${l.target}`,
    headers: LOCK_HEADERS,
    wideHeaders: LOCK_WIDE_HEADERS,
    row: (l, wide) => lockRow(l, now, wide),
  }),
  watch: {
    identity: (l) => l.key,
    revision: (l) => `${l.token}.${l.version}`,
    reread: (l, connection) => connection.store.readLock(l.key),
    goneRow(l, now, wide) {
      const row = [...lockRow(l, now, wide)];
      row[STATE_COLUMN] = 'released';
      row[RELEASE_COLUMN] = '-';
      return row;
    },
  },
});
