/**
 * Watches: a 200 response that stays open and carries one JSON event per line. Without a
 * resourceVersion (or with "0") it opens with an ADDED event per existing object; with one it
 * replays what changed after it (or an ERROR 410 when that is too old). Label and field
 * selectors apply, so an object that starts or stops matching arrives as ADDED or DELETED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fieldsOf, labelsOf, type ObjectApi } from './operations.js';
import type { JsonObject } from './patch.js';
import type { ResourceType } from './resources.js';
import { badRequest, failure } from './status.js';
import type { Change, ObjectStore } from './store.js';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  /** A single object's watch (fieldSelector metadata.name=<name>), from /watch/.../<name>. */
  name?: string;
  query: URLSearchParams;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR';

/** Open watches, so the server can end them all when it closes. */
export class Watches {
  private readonly open = new Set<() => void>();

  add(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  endAll(): void {
    for (const end of [...this.open]) end();
  }
}

export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  api: ObjectApi,
  store: ObjectStore,
  watches: Watches,
  request: WatchRequest,
): void {
  const { type, namespace, query } = request;
  const fieldSelector = [
    query.get('fieldSelector'),
    request.name ? `metadata.name=${request.name}` : undefined,
  ]
    .filter(Boolean)
    .join(',');
  const { labels, fields } = api.selectors({
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector,
  });
  const inScope = (o: JsonObject) =>
    (namespace === undefined || fieldsOf(o)['metadata.namespace'] === namespace) &&
    labels.matches(labelsOf(o)) &&
    fields.matches(fieldsOf(o));

  const from = query.get('resourceVersion');
  let backlog: Change[] | 'expired' = [];
  if (from && from !== '0') {
    const revision = Number(from);
    if (!Number.isInteger(revision) || revision < 0) throw badRequest(`invalid resource version: "${from}"`);
    backlog = store.changesSince(revision);
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  const send = (eventType: EventType, object: JsonObject) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  };

  if (backlog === 'expired') {
    send('ERROR', {
      ...failure(410, 'Expired', `too old resource version: ${from} (${store.resourceVersion})`),
    } as unknown as JsonObject);
    res.end();
    return;
  }

  const deliver = (change: Change) => {
    if (change.resource !== type) return;
    const now = inScope(change.object);
    if (change.type === 'ADDED') {
      if (now) send('ADDED', change.object);
    } else if (change.type === 'DELETED') {
      if (now) send('DELETED', change.object);
    } else {
      const before = change.previous ? inScope(change.previous) : false;
      if (now && before) send('MODIFIED', change.object);
      else if (now) send('ADDED', change.object);
      else if (before) send('DELETED', change.object);
    }
  };

  if (!from || from === '0') {
    for (const object of store.readAll(type, namespace)) if (inScope(object)) send('ADDED', object);
  } else {
    for (const change of backlog) deliver(change);
  }

  const unsubscribe = store.subscribe(deliver);
  let timer: NodeJS.Timeout | undefined;
  const end = () => {
    unsubscribe();
    forget();
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const forget = watches.add(end);
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '');
  if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0) timer = setTimeout(end, timeoutSeconds * 1000);
  req.on('close', end);
  res.on('close', end);
}
