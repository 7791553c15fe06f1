/**
 * What DataStorage does with a batch body before its one transactional insert (reference §6), in
 * its order: parse (a JSON array, not empty), the OpenAPI schema over every event, then per event
 * the timestamp window and event_data being an object. The first problem refuses the whole batch.
 */
import { formatGoDuration } from '../go-duration.js';
import { firstSchemaError } from './audit-event-request.js';
import { invalidEventData, invalidRequest, type Problem, validationError } from './problem.js';

/** An event as DataStorage stores and returns it. */
export interface StoredAuditEvent {
  event_id: string;
  version: string;
  event_type: string;
  event_timestamp: string;
  event_date: string;
  event_category: string;
  event_action: string;
  event_outcome: string;
  actor_type: string;
  actor_id: string;
  resource_type: string;
  resource_id: string;
  correlation_id: string;
  parent_event_id: string | null;
  namespace: string | null;
  cluster_name: string | null;
  severity: string | null;
  duration_ms: number | null;
  event_data: Record<string, unknown>;
  retention_days: number;
}

export type BatchOutcome = { ok: true; events: StoredAuditEvent[] } | { ok: false; problem: Problem };

/** RFC 3339 as Go's time.Time marshals it: UTC, no trailing zeros in the fraction. */
export const goTime = (at: Date | string): string =>
  new Date(at).toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));

const jsonKind = (value: unknown) => (typeof value === 'boolean' ? 'bool' : typeof value);

/** The handler's write window around its own clock (reference §6). */
const MAX_AHEAD_MS = 5 * 60_000;
const MAX_AGE_DAYS = 7;

function timestampDetail(timestamp: string, now: Date): string | undefined {
  const age = now.getTime() - Date.parse(timestamp);
  if (-age > MAX_AHEAD_MS)
    return `timestamp is in the future (server time: ${goTime(now)}, event time: ${goTime(timestamp)})`;
  if (age > MAX_AGE_DAYS * 86_400_000)
    return `timestamp is too old (must be within ${MAX_AGE_DAYS} days, age: ${formatGoDuration(age)})`;
  return undefined;
}

const isJsonObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

function store(e: Record<string, unknown>, id: string): StoredAuditEvent {
  const text = (key: string, fallback: string) =>
    typeof e[key] === 'string' ? (e[key] as string) : fallback;
  const nullable = <T>(key: string) => (e[key] === undefined ? null : (e[key] as T | null));
  const category = e.event_category as string;
  const timestamp = goTime(e.event_timestamp as string);
  return {
    event_id: id,
    version: e.version as string,
    event_type: e.event_type as string,
    event_timestamp: timestamp,
    event_date: timestamp.slice(0, 10),
    event_category: category,
    event_action: e.event_action as string,
    event_outcome: e.event_outcome as string,
    actor_type: text('actor_type', 'service'),
    actor_id: text('actor_id', `${category}-service`),
    resource_type: text('resource_type', category),
    resource_id: text('resource_id', e.correlation_id as string),
    correlation_id: e.correlation_id as string,
    parent_event_id: nullable('parent_event_id'),
    namespace: nullable('namespace'),
    cluster_name: nullable('cluster_name'),
    severity: e.severity === undefined ? 'info' : (e.severity as string | null),
    duration_ms: nullable('duration_ms'),
    event_data: e.event_data as Record<string, unknown>,
    retention_days: 2555,
  };
}

export function acceptBatch(body: string, now: Date, newId: () => string): BatchOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return {
      ok: false,
      problem: invalidRequest(`request body must be a JSON array: ${(err as Error).message}`),
    };
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
    return { ok: false, problem: invalidRequest('request body must be a JSON array, not a single object') };
  // Go decodes `null` into an empty slice.
  if (parsed !== null && !Array.isArray(parsed))
    return {
      ok: false,
      problem: invalidRequest(
        `request body must be a JSON array: json: cannot unmarshal ${jsonKind(parsed)} into Go value of type []AuditEventRequest`,
      ),
    };
  const batch = (parsed ?? []) as unknown[];
  if (batch.length === 0) return { ok: false, problem: validationError('batch cannot be empty') };

  for (const [i, event] of batch.entries()) {
    const error = firstSchemaError(event);
    if (error) {
      const at = error.property ? `/${i}/${error.property}` : `/${i}`;
      return {
        ok: false,
        problem: validationError(
          `request body has an error: doesn't match schema: Error at "${at}": ${error.reason}`,
        ),
      };
    }
  }
  const events = batch as Record<string, unknown>[];
  for (const [i, event] of events.entries()) {
    const timestamp = timestampDetail(event.event_timestamp as string, now);
    if (timestamp)
      return { ok: false, problem: validationError(`event at index ${i}: invalid timestamp: ${timestamp}`) };
    if (!isJsonObject(event.event_data))
      return {
        ok: false,
        problem: invalidEventData(`event at index ${i}: event_data must be a JSON object`),
      };
  }
  return { ok: true, events: events.map((e) => store(e, newId())) };
}
