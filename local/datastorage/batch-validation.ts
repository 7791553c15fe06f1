/**
 * What DataStorage does with a batch body before its one transactional insert (reference §6), in
 * its order: parse (a JSON array, not empty), the OpenAPI schema over every event, then per event
 * the timestamp window and event_data being an object. The first problem refuses the whole batch.
 */
import {
  AUDIT_MAX_AGE_MS,
  eventDataViolation,
  schemaViolations,
  timestampBound,
  type Violation,
} from '../../functions/core/audit-contract.js';
import { formatDuration } from '../../functions/core/duration.js';
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

/** kin-openapi's wording, so a refusal reads as the real one does. */
function schemaMessage(v: Violation): string {
  switch (v.rule) {
    case 'missing':
      return `property "${v.field}" is missing`;
    case 'not-nullable':
      return 'Value is not nullable';
    case 'type':
      return `value must be ${v.expected === 'integer' ? 'an integer' : `a${v.expected === 'object' ? 'n' : ''} ${v.expected}`}`;
    case 'minLength':
      return `minimum string length is ${v.limit}`;
    case 'maxLength':
      return `maximum string length is ${v.limit}`;
    case 'enum':
      return `value is not one of the allowed values ${JSON.stringify(v.values)}`;
    case 'format':
      return `string doesn't match the format "${v.format}"`;
    case 'not-object':
      return 'value must be an object';
  }
}

function timestampDetail(timestamp: string, now: Date): string | undefined {
  const bound = timestampBound(timestamp, now);
  if (bound === 'future')
    return `timestamp is in the future (server time: ${goTime(now)}, event time: ${goTime(timestamp)})`;
  if (bound === 'too-old')
    return `timestamp is too old (must be within ${AUDIT_MAX_AGE_MS / 86_400_000} days, age: ${formatDuration(now.getTime() - Date.parse(timestamp))})`;
  return undefined;
}

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
    const [first] = schemaViolations(event);
    if (first) {
      const at = first.rule === 'missing' || first.field === '' ? `/${i}` : `/${i}/${first.field}`;
      return {
        ok: false,
        problem: validationError(
          `request body has an error: doesn't match schema: Error at "${at}": ${schemaMessage(first)}`,
        ),
      };
    }
  }
  const events = batch as Record<string, unknown>[];
  for (const [i, event] of events.entries()) {
    const timestamp = timestampDetail(event.event_timestamp as string, now);
    if (timestamp)
      return { ok: false, problem: validationError(`event at index ${i}: invalid timestamp: ${timestamp}`) };
    if (eventDataViolation(event))
      return {
        ok: false,
        problem: invalidEventData(`event at index ${i}: event_data must be a JSON object`),
      };
  }
  return { ok: true, events: events.map((e) => store(e, newId())) };
}
