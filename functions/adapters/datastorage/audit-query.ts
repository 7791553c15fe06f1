/**
 * DataStorage's read-back API, `GET {url}/api/v1/audit/events` (reference §6): the events filed under
 * a correlation id, every page of them. DataStorage pages newest first; this returns them as stored,
 * in its order. Any answer but 200 with a page, and any fault on the way, is an error saying which.
 */
import type { AuditEventRequest } from '../../core/audit-event.js';

export const QUERY_PATH = '/api/v1/audit/events';
/** DataStorage's largest page. */
const PAGE_LIMIT = 1000;
/** A trail longer than this is not one execution's: stop rather than page on for ever. */
const MAX_PAGES = 20;
/** What an Authorization header can carry (visible ASCII); checked so no header error quotes the token. */
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]{1,4096}$/;

/** An event as DataStorage returns it: the request's fields, with its id and the day it is filed under. */
export type RecordedAuditEvent = AuditEventRequest & { event_id: string; event_date?: string };

export interface AuditQueryOptions {
  /** DATASTORAGE_URL. */
  url: string;
  /** Per request; the request is aborted after this long. */
  timeoutMs: number;
  token?: () => Promise<string>;
  fetch?: typeof fetch;
}

interface Page {
  data: RecordedAuditEvent[];
  pagination: { has_more: boolean };
}

const isPage = (body: unknown): body is Page =>
  Array.isArray((body as Page)?.data) && typeof (body as Page)?.pagination?.has_more === 'boolean';

export function dataStorageAuditQuery(options: AuditQueryOptions) {
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  const doFetch = options.fetch ?? fetch;

  async function page(filters: Record<string, string>, offset: number, headers: Record<string, string>) {
    const url = new URL(QUERY_PATH.slice(1), base);
    for (const [key, value] of Object.entries(filters)) url.searchParams.set(key, value);
    url.searchParams.set('limit', String(PAGE_LIMIT));
    url.searchParams.set('offset', String(offset));
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await doFetch(url, { headers, signal: timeout, redirect: 'error' });
    } catch (err) {
      const reason = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : (err as Error).message;
      throw new Error(`DataStorage at ${options.url} could not be queried: ${reason}`, { cause: err });
    }
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const detail = (body as { detail?: unknown })?.detail;
      throw new Error(
        `DataStorage answered ${response.status} to the audit query${typeof detail === 'string' ? `: ${detail}` : ''}`,
      );
    }
    if (!isPage(body))
      throw new Error('DataStorage answered the audit query with something other than a page of events');
    return body;
  }

  return {
    /** Every event matching the filters (DataStorage's query parameters), newest first. */
    async events(filters: {
      correlation_id: string;
      event_category?: string;
    }): Promise<RecordedAuditEvent[]> {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token) {
        const token = await options.token();
        if (!HEADER_SAFE_TOKEN.test(token))
          throw new Error(
            'the DataStorage token cannot be sent: it must be 1 to 4096 visible ASCII characters',
          );
        headers.authorization = `Bearer ${token}`;
      }
      const events: RecordedAuditEvent[] = [];
      for (let n = 0; n < MAX_PAGES; n++) {
        const { data, pagination } = await page(filters, events.length, headers);
        events.push(...data);
        if (!pagination.has_more || data.length === 0) return events;
      }
      throw new Error(
        `the audit trail holds more than ${MAX_PAGES * PAGE_LIMIT} events; query DataStorage directly`,
      );
    },
  };
}
