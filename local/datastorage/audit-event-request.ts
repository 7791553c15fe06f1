/**
 * DataStorage's `AuditEventRequest` as its OpenAPI document declares it (reference §6,
 * `api/openapi/data-storage-v1.yaml`), and the check its request middleware (kin-openapi) makes of
 * each event in a batch, in kin-openapi's words. This is the server's own reading of the
 * reference, kept apart from the forwarder's, so that a mistake in either shows up as a
 * disagreement between them.
 */

type PropertySchema =
  | {
      type: 'string';
      minLength?: number;
      maxLength?: number;
      enum?: string[];
      format?: 'date-time' | 'uuid';
      nullable?: true;
    }
  | { type: 'integer'; nullable?: true }
  /** Any JSON value: the schema says nothing more about event_data. */
  | { type?: undefined };

export const AUDIT_EVENT_REQUEST: {
  required: readonly string[];
  properties: Readonly<Record<string, PropertySchema>>;
} = {
  required: [
    'version',
    'event_type',
    'event_timestamp',
    'event_category',
    'event_action',
    'event_outcome',
    'correlation_id',
    'event_data',
  ],
  properties: {
    version: { type: 'string', minLength: 1, maxLength: 20 },
    event_type: { type: 'string', minLength: 1, maxLength: 100 },
    event_timestamp: { type: 'string', format: 'date-time' },
    event_category: {
      type: 'string',
      minLength: 1,
      maxLength: 50,
      enum: 'gateway notification analysis signalprocessing workflow execution orchestration'.split(' '),
    },
    event_action: { type: 'string', minLength: 1, maxLength: 50 },
    event_outcome: { type: 'string', enum: ['success', 'failure', 'pending'] },
    actor_type: { type: 'string' },
    actor_id: { type: 'string' },
    resource_type: { type: 'string' },
    resource_id: { type: 'string' },
    correlation_id: { type: 'string', minLength: 1, maxLength: 255 },
    parent_event_id: { type: 'string', format: 'uuid', nullable: true },
    namespace: { type: 'string', nullable: true },
    cluster_name: { type: 'string', nullable: true },
    severity: { type: 'string', nullable: true },
    duration_ms: { type: 'integer', nullable: true },
    event_data: {},
  },
};

/** Where in the event the schema failed (`""` for the event itself, else the property) and why. */
export interface SchemaError {
  property: string;
  reason: string;
}

const RFC3339_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * An RFC 3339 date-time as the Go server decodes it into a time.Time: upper-case `T` and `Z`,
 * a real calendar day, hours below 24, minutes and seconds below 60, an offset that exists.
 */
export function isRfc3339(text: string): boolean {
  const m = RFC3339_PARTS.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offHour, offMinute] = m
    .slice(1)
    .map((part) => Number(part ?? '0')) as [number, number, number, number, number, number, number, number];
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offHour <= 23 &&
    offMinute <= 59
  );
}

const isUuid = (text: string) => /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(text);

function checkProperty(schema: PropertySchema, value: unknown): string | undefined {
  if (schema.type === undefined) return undefined;
  if (value === null) return schema.nullable ? undefined : 'Value is not nullable';
  if (schema.type === 'integer')
    return typeof value === 'number' && Number.isInteger(value) ? undefined : 'value must be an integer';
  if (typeof value !== 'string') return 'value must be a string';
  // kin-openapi counts runes (code points), not UTF-16 units.
  const length = Array.from(value).length;
  if (schema.minLength !== undefined && length < schema.minLength)
    return `minimum string length is ${schema.minLength}`;
  if (schema.maxLength !== undefined && length > schema.maxLength)
    return `maximum string length is ${schema.maxLength}`;
  if (schema.enum && !schema.enum.includes(value))
    return `value is not one of the allowed values ${JSON.stringify(schema.enum)}`;
  if (schema.format === 'date-time' && !isRfc3339(value))
    return `string doesn't match the format "date-time"`;
  if (schema.format === 'uuid' && !isUuid(value)) return `string doesn't match the format "uuid"`;
  return undefined;
}

/** The first place the event departs from the schema, property by property in the schema's order. */
export function firstSchemaError(event: unknown): SchemaError | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return { property: '', reason: 'value must be an object' };
  const fields = event as Record<string, unknown>;
  for (const [property, schema] of Object.entries(AUDIT_EVENT_REQUEST.properties)) {
    if (!Object.hasOwn(fields, property)) {
      if (AUDIT_EVENT_REQUEST.required.includes(property))
        return { property: '', reason: `property "${property}" is missing` };
      continue;
    }
    const reason = checkProperty(schema, fields[property]);
    if (reason) return { property, reason };
  }
  return undefined;
}
