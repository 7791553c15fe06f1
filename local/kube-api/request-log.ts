/**
 * Every request the server received, so tests can assert what a client actually did ("one POST,
 * no DELETE") rather than only what state resulted.
 */
export interface RequestRecord {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The query string, without '?'. */
  query: string;
  contentType?: string;
  /** The status answered; undefined while in flight or when the connection was dropped. */
  status?: number;
  at: Date;
}

export interface RequestFilter {
  method?: string;
  /** A string matches when the path starts with it; a RegExp is tested against the path. */
  path?: string | RegExp;
}

const matches = (r: RequestRecord, f: RequestFilter) =>
  (!f.method || f.method.toUpperCase() === r.method) &&
  (f.path === undefined || (typeof f.path === 'string' ? r.path.startsWith(f.path) : f.path.test(r.path)));

export class RequestLog {
  private readonly records: RequestRecord[] = [];

  record(entry: RequestRecord): RequestRecord {
    this.records.push(entry);
    return entry;
  }

  /** Requests matching the filter, oldest first (all when no filter). */
  list(filter: RequestFilter = {}): RequestRecord[] {
    return this.records.filter((r) => matches(r, filter));
  }

  count(filter: RequestFilter = {}): number {
    return this.list(filter).length;
  }

  clear(): void {
    this.records.length = 0;
  }
}
