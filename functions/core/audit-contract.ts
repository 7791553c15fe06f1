/**
 * DataStorage's AuditEventRequest contract (reference §6: the OpenAPI schema of
 * `POST /api/v1/audit/events/batch` and the handler's own checks). The forwarder checks each
 * event against it before sending, so an event DataStorage can never accept is parked with the
 * reason instead of failing the batch it travels in.
 */

export const AUDIT_CATEGORIES = [
  'gateway',
  'notification',
  'analysis',
  'signalprocessing',
  'workflow',
  'execution',
  'orchestration',
] as const;
export const AUDIT_OUTCOMES = ['success', 'failure', 'pending'] as const;

/** DataStorage refuses events stamped further ahead of its clock than this… */
export const AUDIT_MAX_FUTURE_MS = 5 * 60_000;
/** …and events older than this (its retention window for writes). */
export const AUDIT_MAX_AGE_MS = 7 * 24 * 3600_000;

export interface FieldRule {
  required: boolean;
  type: 'string' | 'integer' | 'any';
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  values?: readonly string[];
  format?: 'date-time' | 'uuid';
}

/** The schema's properties, in the schema's order. */
export const AUDIT_EVENT_FIELDS: Readonly<Record<string, FieldRule>> = {
  version: { required: true, type: 'string', minLength: 1, maxLength: 20 },
  event_type: { required: true, type: 'string', minLength: 1, maxLength: 100 },
  event_timestamp: { required: true, type: 'string', format: 'date-time' },
  event_category: {
    required: true,
    type: 'string',
    minLength: 1,
    maxLength: 50,
    values: AUDIT_CATEGORIES,
  },
  event_action: { required: true, type: 'string', minLength: 1, maxLength: 50 },
  event_outcome: { required: true, type: 'string', values: AUDIT_OUTCOMES },
  actor_type: { required: false, type: 'string' },
  actor_id: { required: false, type: 'string' },
  resource_type: { required: false, type: 'string' },
  resource_id: { required: false, type: 'string' },
  correlation_id: { required: true, type: 'string', minLength: 1, maxLength: 255 },
  parent_event_id: { required: false, type: 'string', format: 'uuid', nullable: true },
  namespace: { required: false, type: 'string', nullable: true },
  cluster_name: { required: false, type: 'string', nullable: true },
  severity: { required: false, type: 'string', nullable: true },
  duration_ms: { required: false, type: 'integer', nullable: true },
  event_data: { required: true, type: 'any' },
};

export type Violation =
  | { field: string; rule: 'missing' }
  | { field: string; rule: 'not-nullable' }
  | { field: string; rule: 'not-object' }
  | { field: string; rule: 'type'; expected: 'string' | 'integer' | 'object' }
  | { field: string; rule: 'minLength'; limit: number }
  | { field: string; rule: 'maxLength'; limit: number }
  | { field: string; rule: 'enum'; values: readonly string[] }
  | { field: string; rule: 'format'; format: 'date-time' | 'uuid' };

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * RFC 3339 as DataStorage decodes it into a Go time.Time: upper-case `T` and `Z`, and a day, time
 * and offset that exist. Date.parse refuses minute 60 or offset 24:00 but rolls February 30 and
 * hour 24 over into the next day, so those two are checked here.
 */
export function isDateTime(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m || Number.isNaN(Date.parse(text))) return false;
  const [year, month, day, hour] = m.slice(1, 5).map(Number) as [number, number, number, number];
  return hour < 24 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fieldViolation(field: string, rule: FieldRule, value: unknown): Violation | undefined {
  if (value === undefined) return rule.required ? { field, rule: 'missing' } : undefined;
  if (value === null)
    return rule.nullable || rule.type === 'any' ? undefined : { field, rule: 'not-nullable' };
  if (rule.type === 'any') return undefined;
  if (rule.type === 'integer')
    return Number.isInteger(value) ? undefined : { field, rule: 'type', expected: 'integer' };
  if (typeof value !== 'string') return { field, rule: 'type', expected: 'string' };
  // Lengths count characters (code points), as the schema validator does. A string has between
  // half its UTF-16 length and all of it in code points, so they are only counted when that matters.
  const uncertain = value.length > (rule.maxLength ?? Infinity) || value.length < 2 * (rule.minLength ?? 0);
  const length = uncertain ? [...value].length : value.length;
  if (rule.minLength !== undefined && length < rule.minLength)
    return { field, rule: 'minLength', limit: rule.minLength };
  if (rule.maxLength !== undefined && length > rule.maxLength)
    return { field, rule: 'maxLength', limit: rule.maxLength };
  if (rule.values && !rule.values.includes(value)) return { field, rule: 'enum', values: rule.values };
  if (rule.format === 'date-time' && !isDateTime(value))
    return { field, rule: 'format', format: 'date-time' };
  if (rule.format === 'uuid' && !UUID.test(value)) return { field, rule: 'format', format: 'uuid' };
  return undefined;
}

/** What the OpenAPI schema finds wrong with one event, field by field (empty when it conforms). */
export function schemaViolations(event: unknown): Violation[] {
  if (!isObject(event)) return [{ field: '', rule: 'type', expected: 'object' }];
  return Object.entries(AUDIT_EVENT_FIELDS).flatMap(([field, rule]) => {
    const violation = fieldViolation(field, rule, event[field]);
    return violation ? [violation] : [];
  });
}

/** The handler's own check after the schema: event_data must be a JSON object. */
export const eventDataViolation = (event: Record<string, unknown>): Violation | undefined =>
  isObject(event.event_data) ? undefined : { field: 'event_data', rule: 'not-object' };

/** Where an event's timestamp falls against DataStorage's write window at `now`. */
export function timestampBound(timestamp: string, now: Date): 'future' | 'too-old' | undefined {
  const at = Date.parse(timestamp);
  if (at > now.getTime() + AUDIT_MAX_FUTURE_MS) return 'future';
  if (at < now.getTime() - AUDIT_MAX_AGE_MS) return 'too-old';
  return undefined;
}

const DESCRIBE: { [R in Violation['rule']]: (v: Extract<Violation, { rule: R }>) => string } = {
  missing: () => 'is required',
  'not-nullable': () => 'must not be null',
  'not-object': () => 'must be a JSON object',
  type: (v) => `must be ${{ integer: 'an integer', string: 'a string', object: 'an object' }[v.expected]}`,
  minLength: (v) => `must be at least ${v.limit} characters`,
  maxLength: (v) => `must be at most ${v.limit} characters`,
  enum: (v) => `must be one of ${v.values.join(', ')}`,
  format: (v) => `must be ${v.format === 'uuid' ? 'a UUID' : 'an RFC 3339 date-time'}`,
};

export function describeViolation(v: Violation): string {
  const text = (DESCRIBE[v.rule] as (x: Violation) => string)(v);
  return v.field ? `${v.field} ${text}` : `event ${text}`;
}

/** Everything DataStorage would refuse in this event, apart from its timestamp's age; empty when none. */
export function contractProblems(event: unknown): string[] {
  const violations = schemaViolations(event);
  if (violations.length === 0 && isObject(event)) {
    const data = eventDataViolation(event);
    if (data) violations.push(data);
  }
  return violations.map(describeViolation);
}
