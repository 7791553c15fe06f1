/**
 * The forwarder's contract (functions/core/audit-contract.ts) and the local DataStorage's own
 * validation are two separate readings of reference §6. Every event here goes through both: they
 * must give the verdict the reference gives, so a mistake in one reading shows up as a
 * disagreement with the other (SPEC WE-9).
 */
import { describe, expect, it } from 'vitest';
import { contractProblems, timestampBound } from '../../../functions/core/audit-contract.js';
import { acceptBatch } from '../../../local/datastorage/batch-validation.js';
import { completedEvent, failedEvent, startedEvent } from '../../fixtures/audit-events.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const minute = 60_000;
const before = (ms: number) => new Date(NOW.getTime() - ms);
const mapped = failedEvent({ name: 'we-contract' }, before(10 * minute)) as unknown as Record<
  string,
  unknown
>;

type Event = Record<string, unknown>;
const set = (changes: Event) => ({ ...mapped, ...changes });
const without = (...fields: string[]) =>
  Object.fromEntries(Object.entries(mapped).filter(([key]) => !fields.includes(key)));

/** The forwarder's reading: nothing the contract refuses, and inside DataStorage's write window. */
function forwarderAccepts(event: unknown): boolean {
  if (contractProblems(event).length > 0) return false;
  return timestampBound((event as Event).event_timestamp as string, NOW) === undefined;
}

/** The local DataStorage's reading: what its batch endpoint answers for a batch of this one event. */
function dataStorageAnswer(event: unknown): 'accepted' | string {
  const outcome = acceptBatch(JSON.stringify([event]), NOW, () => '00000000-0000-4000-8000-000000000000');
  return outcome.ok ? 'accepted' : outcome.problem.type.replace('https://kubernaut.ai/problems/', '');
}

const ACCEPTED: [string, unknown][] = [
  ['workflow.started as mapped', startedEvent({ name: 'we-s' }, before(minute))],
  ['workflow.completed as mapped', completedEvent({ name: 'we-c' }, before(10 * minute))],
  ['workflow.failed as mapped', mapped],
  ['no optional field', without('actor_type', 'actor_id', 'resource_type', 'resource_id', 'namespace')],
  [
    'null in every nullable field',
    set({ parent_event_id: null, namespace: null, cluster_name: null, severity: null, duration_ms: null }),
  ],
  [
    'every optional field set',
    set({
      parent_event_id: 'A3BB189E-8BF9-3888-9912-ACE4E6543002',
      cluster_name: 'prod',
      severity: 'warning',
      duration_ms: 1200,
    }),
  ],
  ['version at 20 characters', set({ version: 'v'.repeat(20) })],
  ['event_type at 100 characters', set({ event_type: 't'.repeat(100) })],
  ['event_action at 50 characters', set({ event_action: 'a'.repeat(50) })],
  ['correlation_id at 255 characters', set({ correlation_id: 'c'.repeat(255) })],
  ['correlation_id at 255 characters beyond the BMP', set({ correlation_id: '😀'.repeat(255) })],
  ...[
    'gateway',
    'notification',
    'analysis',
    'signalprocessing',
    'workflow',
    'execution',
    'orchestration',
  ].map((category): [string, unknown] => [`event_category ${category}`, set({ event_category: category })]),
  ...['success', 'failure', 'pending'].map((outcome): [string, unknown] => [
    `event_outcome ${outcome}`,
    set({ event_outcome: outcome }),
  ]),
  ['a timestamp with an offset', set({ event_timestamp: '2026-03-01T17:20:00+05:30' })],
  ['a timestamp in nanoseconds', set({ event_timestamp: '2026-03-01T11:50:00.123456789Z' })],
  ['a timestamp on the last day of February', set({ event_timestamp: '2026-02-28T12:00:00Z' })],
  ['a timestamp 5 minutes ahead', set({ event_timestamp: '2026-03-01T12:05:00Z' })],
  ['a timestamp 7 days old', set({ event_timestamp: '2026-02-22T12:00:00Z' })],
  ['empty event_data', set({ event_data: {} })],
];

const REFUSED: [string, unknown, string][] = [
  ...[
    'version',
    'event_type',
    'event_timestamp',
    'event_category',
    'event_action',
    'event_outcome',
    'correlation_id',
    'event_data',
  ].map((field): [string, unknown, string] => [`no ${field}`, without(field), 'validation-error']),
  ['an empty version', set({ version: '' }), 'validation-error'],
  ['version at 21 characters', set({ version: 'v'.repeat(21) }), 'validation-error'],
  ['an empty event_type', set({ event_type: '' }), 'validation-error'],
  ['event_type at 101 characters', set({ event_type: 't'.repeat(101) }), 'validation-error'],
  ['the category of Kubernaut HEAD', set({ event_category: 'workflowexecution' }), 'validation-error'],
  ['an upper-case category', set({ event_category: 'Workflow' }), 'validation-error'],
  ['an empty event_action', set({ event_action: '' }), 'validation-error'],
  ['event_action at 51 characters', set({ event_action: 'a'.repeat(51) }), 'validation-error'],
  ['a skipped outcome', set({ event_outcome: 'skipped' }), 'validation-error'],
  ['an empty correlation_id', set({ correlation_id: '' }), 'validation-error'],
  ['correlation_id at 256 characters', set({ correlation_id: 'c'.repeat(256) }), 'validation-error'],
  [
    'correlation_id at 256 characters beyond the BMP',
    set({ correlation_id: '😀'.repeat(256) }),
    'validation-error',
  ],
  ['a timestamp in words', set({ event_timestamp: 'yesterday' }), 'validation-error'],
  ['a timestamp in seconds', set({ event_timestamp: 1772366400 }), 'validation-error'],
  ['a timestamp with a space', set({ event_timestamp: '2026-03-01 11:50:00Z' }), 'validation-error'],
  ['a timestamp without offset', set({ event_timestamp: '2026-03-01T11:50:00' }), 'validation-error'],
  ['a timestamp in lower case', set({ event_timestamp: '2026-03-01t11:50:00z' }), 'validation-error'],
  ['a day February 2026 has not', set({ event_timestamp: '2026-02-29T12:00:00Z' }), 'validation-error'],
  ['day 0', set({ event_timestamp: '2026-03-00T12:00:00Z' }), 'validation-error'],
  ['hour 24', set({ event_timestamp: '2026-02-28T24:00:00Z' }), 'validation-error'],
  ['minute 60', set({ event_timestamp: '2026-03-01T11:60:00Z' }), 'validation-error'],
  ['a leap second', set({ event_timestamp: '2026-02-28T23:59:60Z' }), 'validation-error'],
  ['an offset of 24 hours', set({ event_timestamp: '2026-03-01T11:50:00+24:00' }), 'validation-error'],
  [
    'a timestamp 5 minutes and a second ahead',
    set({ event_timestamp: '2026-03-01T12:05:01Z' }),
    'validation-error',
  ],
  [
    'a timestamp 7 days and a second old',
    set({ event_timestamp: '2026-02-22T11:59:59Z' }),
    'validation-error',
  ],
  ['a null actor_type', set({ actor_type: null }), 'validation-error'],
  ['a number for actor_id', set({ actor_id: 42 }), 'validation-error'],
  ['a null resource_id', set({ resource_id: null }), 'validation-error'],
  ['a parent_event_id that is no UUID', set({ parent_event_id: 'we-contract' }), 'validation-error'],
  ['a fractional duration_ms', set({ duration_ms: 1.5 }), 'validation-error'],
  ['a duration_ms in text', set({ duration_ms: '1200' }), 'validation-error'],
  ['a number for namespace', set({ namespace: 7 }), 'validation-error'],
  ['an event that is a string', 'event', 'validation-error'],
  ['an event that is null', null, 'validation-error'],
  ['an event that is an array', [mapped], 'validation-error'],
  ['null event_data', set({ event_data: null }), 'invalid_event_data'],
  ['event_data as an array', set({ event_data: [mapped.event_data] }), 'invalid_event_data'],
  ['event_data as JSON text', set({ event_data: JSON.stringify(mapped.event_data) }), 'invalid_event_data'],
];

describe('the forwarder and the local DataStorage read the contract alike (reference §6)', () => {
  it.each(ACCEPTED)('both accept %s', (_name, event) => {
    expect({ forwarder: forwarderAccepts(event), dataStorage: dataStorageAnswer(event) }).toEqual({
      forwarder: true,
      dataStorage: 'accepted',
    });
  });

  it.each(REFUSED)('both refuse %s', (_name, event, problem) => {
    expect({ forwarder: forwarderAccepts(event), dataStorage: dataStorageAnswer(event) }).toEqual({
      forwarder: false,
      dataStorage: problem,
    });
  });

  const junk: [string, unknown][] = [
    ['absent', undefined],
    ['null', null],
    ['true', true],
    ['0', 0],
    ['1.5', 1.5],
    ['an empty string', ''],
    ['a 300-character string', 'x'.repeat(300)],
    ['a UUID', '5f0c7c4e-2b1a-4d7e-9a57-3c1f0b6d9e21'],
    ['an object', { a: 1 }],
    ['an array', ['a']],
  ];
  const fields = Object.keys({ ...mapped, parent_event_id: 0, cluster_name: 0, severity: 0, duration_ms: 0 });
  it.each(
    fields.flatMap((field) => junk.map(([name, value]): [string, string, unknown] => [field, name, value])),
  )('give the same verdict for %s set to %s', (field, _name, value) => {
    const event = set({ [field]: value });
    expect(forwarderAccepts(event)).toBe(dataStorageAnswer(event) === 'accepted');
  });
});

describe('the local DataStorage refuses the mapped event broken as it could break, as DataStorage does', () => {
  const batchOf = (event: unknown) => acceptBatch(JSON.stringify([mapped, event]), NOW, () => 'id');
  const schemaError = (at: string, message: string) => ({
    type: 'https://kubernaut.ai/problems/validation-error',
    title: 'Validation Error',
    status: 400,
    detail: `request body has an error: doesn't match schema: Error at "${at}": ${message}`,
  });

  it.each([
    [
      'correlation_id dropped when the label is absent',
      without('correlation_id'),
      schemaError('/1', 'property "correlation_id" is missing'),
    ],
    [
      "the category Kubernaut HEAD writes (ADR-034's workflowexecution)",
      set({ event_category: 'workflowexecution' }),
      schemaError(
        '/1/event_category',
        'value is not one of the allowed values ["gateway","notification","analysis","signalprocessing","workflow","execution","orchestration"]',
      ),
    ],
    [
      'the timestamp written in local time without offset',
      set({ event_timestamp: '2026-03-01T13:50:00.000' }),
      schemaError('/1/event_timestamp', `string doesn't match the format "date-time"`),
    ],
    [
      'the timestamp written as Date.toString()',
      set({ event_timestamp: before(10 * minute).toString() }),
      schemaError('/1/event_timestamp', `string doesn't match the format "date-time"`),
    ],
    [
      'a correlation_id longer than 255 characters (a long remediation name)',
      set({ correlation_id: `we-${'r'.repeat(253)}` }),
      schemaError('/1/correlation_id', 'maximum string length is 255'),
    ],
    [
      'the outcome of a skipped event',
      set({ event_outcome: 'skipped' }),
      schemaError(
        '/1/event_outcome',
        'value is not one of the allowed values ["success","failure","pending"]',
      ),
    ],
    [
      'a clock 6 minutes fast',
      set({ event_timestamp: '2026-03-01T12:06:00.000Z' }),
      {
        type: 'https://kubernaut.ai/problems/validation-error',
        title: 'Validation Error',
        status: 400,
        detail:
          'event at index 1: invalid timestamp: timestamp is in the future (server time: 2026-03-01T12:00:00Z, event time: 2026-03-01T12:06:00Z)',
      },
    ],
    [
      'an event replayed 7 days and half a second late',
      set({ event_timestamp: '2026-02-22T11:59:59.500Z' }),
      {
        type: 'https://kubernaut.ai/problems/validation-error',
        title: 'Validation Error',
        status: 400,
        detail:
          'event at index 1: invalid timestamp: timestamp is too old (must be within 7 days, age: 168h0m0.5s)',
      },
    ],
    [
      'event_data serialised twice',
      set({ event_data: JSON.stringify(mapped.event_data) }),
      {
        type: 'https://kubernaut.ai/problems/invalid_event_data',
        title: 'Invalid Event Data',
        status: 400,
        detail: 'event at index 1: event_data must be a JSON object',
      },
    ],
  ])('%s', (_name, broken, problem) => {
    expect(forwarderAccepts(broken)).toBe(false);
    expect(batchOf(broken)).toEqual({ ok: false, problem });
  });
});
