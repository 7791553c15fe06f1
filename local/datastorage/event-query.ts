/**
 * `GET /api/v1/audit/events`: the filters Kubernaut's tests read the trail back with, newest
 * first (event_timestamp DESC, event_id DESC), a page at a time.
 */
import { parseGoDuration } from '../go-duration.js';
import { isRfc3339 } from './audit-event-request.js';
import type { StoredAuditEvent } from './batch-validation.js';
import { type Problem, validationError } from './problem.js';

const EXACT_FILTERS = [
  'event_type',
  'event_category',
  'event_outcome',
  'severity',
  'correlation_id',
] as const;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export interface EventPage {
  data: StoredAuditEvent[];
  pagination: { limit: number; offset: number; total: number; has_more: boolean };
}

/** `24h`-style (that long before now) or RFC 3339. */
function instant(name: string, text: string, now: Date): number | Problem {
  if (isRfc3339(text)) return Date.parse(text);
  const ago = parseGoDuration(text);
  if (ago !== undefined) return now.getTime() - ago;
  return validationError(
    `${name} must be a relative time such as 24h or an RFC 3339 timestamp, got "${text}"`,
  );
}

function integer(
  name: string,
  text: string | null,
  fallback: number,
  min: number,
  max: number,
): number | Problem {
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    return validationError(`${name} must be an integer between ${min} and ${max}, got "${text}"`);
  return value;
}

const newestFirst = (a: StoredAuditEvent, b: StoredAuditEvent) =>
  Date.parse(b.event_timestamp) - Date.parse(a.event_timestamp) ||
  (a.event_id < b.event_id ? 1 : a.event_id > b.event_id ? -1 : 0);

export function queryEvents(
  events: readonly StoredAuditEvent[],
  params: URLSearchParams,
  now: Date,
): { ok: true; page: EventPage } | { ok: false; problem: Problem } {
  const limit = integer('limit', params.get('limit'), DEFAULT_LIMIT, 1, MAX_LIMIT);
  if (typeof limit !== 'number') return { ok: false, problem: limit };
  const offset = integer('offset', params.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
  if (typeof offset !== 'number') return { ok: false, problem: offset };
  const since = params.get('since');
  const from = since === null ? -Infinity : instant('since', since, now);
  if (typeof from !== 'number') return { ok: false, problem: from };
  const until = params.get('until');
  const to = until === null ? Infinity : instant('until', until, now);
  if (typeof to !== 'number') return { ok: false, problem: to };

  const exact = EXACT_FILTERS.flatMap((key) => {
    const value = params.get(key);
    return value === null ? [] : [[key, value] as const];
  });
  const matching = events
    .filter((e) => {
      const at = Date.parse(e.event_timestamp);
      return at >= from && at <= to && exact.every(([key, value]) => e[key] === value);
    })
    .sort(newestFirst);
  const data = matching.slice(offset, offset + limit);
  return {
    ok: true,
    page: {
      data,
      pagination: { limit, offset, total: matching.length, has_more: offset + data.length < matching.length },
    },
  };
}
