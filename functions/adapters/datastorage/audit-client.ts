/**
 * AuditSink over DataStorage's batch endpoint: `POST {url}/api/v1/audit/events/batch` with a JSON
 * array. The answer becomes a value (delivered, or rejected with DataStorage's problem details);
 * faults that are no event's doing throw DataStorageUnavailableError: 5xx, 408, 429, timeouts,
 * network errors, and 401/403/404/405 (credentials or endpoint wrong: every event would be
 * refused the same way, so parking them one by one would only empty the stream into the DLQ).
 */
import type { AuditEventRequest } from '../../core/audit-event.js';
import { DataStorageUnavailableError } from '../../core/errors.js';
import type { AuditSink, DeliveryResult } from '../../core/ports.js';

export const BATCH_PATH = '/api/v1/audit/events/batch';

export interface AuditClientOptions {
  /** DATASTORAGE_URL. */
  url: string;
  /** Per request; the request is aborted after this long. */
  timeoutMs: number;
  /** Fetches the bearer token. Called once and cached; called again only after a 401. */
  token?: () => Promise<string>;
  fetch?: typeof fetch;
}

const NOT_THE_EVENTS = new Set([401, 403, 404, 405, 408, 429]);

/** What an Authorization header can carry (visible ASCII) and a server will take (well under 8 KB). */
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]{1,4096}$/;

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function dataStorageAuditClient(options: AuditClientOptions): AuditSink {
  // Relative to the base, so a DATASTORAGE_URL with a path prefix keeps it.
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  const endpoint = new URL(BATCH_PATH.slice(1), base).toString();
  const doFetch = options.fetch ?? fetch;
  let token: Promise<string> | undefined;

  async function authorization(): Promise<Record<string, string>> {
    const fetchToken = options.token;
    if (!fetchToken) return {};
    token ??= fetchToken().then(
      (value) => {
        // Checked here so no header error, which would quote the value, is ever raised.
        if (!HEADER_SAFE_TOKEN.test(value)) {
          token = undefined;
          throw new DataStorageUnavailableError(
            `the DataStorage token (DATASTORAGE_TOKEN_SECRET_ARN) cannot be sent: it must be 1 to 4096 visible ASCII characters, without spaces, newlines or control characters`,
          );
        }
        return value;
      },
      (err: unknown) => {
        token = undefined;
        throw new DataStorageUnavailableError('could not read the DataStorage token', undefined, undefined, {
          cause: err,
        });
      },
    );
    return { authorization: `Bearer ${await token}` };
  }

  return {
    async send(events: AuditEventRequest[], signal?: AbortSignal): Promise<DeliveryResult> {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      try {
        response = await doFetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...(await authorization()),
          },
          body: JSON.stringify(events),
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
          redirect: 'error',
        });
      } catch (err) {
        if (err instanceof DataStorageUnavailableError) throw err;
        const reason = timeout.aborted
          ? `no answer within ${options.timeoutMs} ms`
          : `request failed: ${(err as Error).message}`;
        // No answer: DataStorage may have stored the batch before the answer was lost.
        throw new DataStorageUnavailableError(`DataStorage ${reason}`, undefined, undefined, {
          cause: err,
          maybeStored: true,
        });
      }
      const body = await readBody(response);
      if (response.ok) {
        const ids = (body as { event_ids?: unknown })?.event_ids;
        return { kind: 'delivered', eventIds: Array.isArray(ids) ? ids.map(String) : [] };
      }
      if (response.status === 401) token = undefined; // the secret may have been rotated
      if (response.status >= 500 || response.status < 400 || NOT_THE_EVENTS.has(response.status)) {
        const detail = (body as { detail?: unknown })?.detail;
        throw new DataStorageUnavailableError(
          `DataStorage answered ${response.status}${typeof detail === 'string' ? `: ${detail}` : ''}`,
          response.status,
          retryAfterMs(response.headers.get('retry-after')),
        );
      }
      return { kind: 'rejected', status: response.status, problem: body };
    },
  };
}
