import { describe, expect, it } from 'vitest';
import { contractProblems, timestampBound } from '../../functions/core/audit-contract.js';
import { startedEvent } from '../fixtures/audit-events.js';

const valid = startedEvent({ name: 'we-contract' }, new Date('2026-01-01T00:00:00Z'));

describe('contractProblems', () => {
  it('finds nothing wrong with an event built by auditEvent()', () => {
    expect(contractProblems(valid)).toEqual([]);
  });

  it.each([
    ['version', '', 'version must be at least 1 characters'],
    ['version', 'x'.repeat(21), 'version must be at most 20 characters'],
    ['event_type', 'x'.repeat(101), 'event_type must be at most 100 characters'],
    ['event_timestamp', 'yesterday', 'event_timestamp must be an RFC 3339 date-time'],
    ['event_timestamp', '2026-01-01 00:00:00', 'event_timestamp must be an RFC 3339 date-time'],
    ['event_timestamp', '2026-01-01t00:00:00z', 'event_timestamp must be an RFC 3339 date-time'],
    ['event_timestamp', '2025-02-29T00:00:00Z', 'event_timestamp must be an RFC 3339 date-time'],
    ['event_timestamp', '2025-12-31T24:00:00Z', 'event_timestamp must be an RFC 3339 date-time'],
    [
      'event_category',
      'workflowexecution',
      'event_category must be one of gateway, notification, analysis, signalprocessing, workflow, execution, orchestration',
    ],
    ['event_action', 'x'.repeat(51), 'event_action must be at most 50 characters'],
    ['event_outcome', 'ok', 'event_outcome must be one of success, failure, pending'],
    ['correlation_id', 'x'.repeat(256), 'correlation_id must be at most 255 characters'],
    ['correlation_id', undefined, 'correlation_id is required'],
    ['actor_id', 42, 'actor_id must be a string'],
    ['actor_type', null, 'actor_type must not be null'],
    ['parent_event_id', 'not-a-uuid', 'parent_event_id must be a UUID'],
    ['duration_ms', 1.5, 'duration_ms must be an integer'],
    ['event_data', undefined, 'event_data is required'],
    ['event_data', [1, 2], 'event_data must be a JSON object'],
    ['event_data', null, 'event_data must be a JSON object'],
  ])('refuses %s = %j', (field, value, problem) => {
    expect(contractProblems({ ...valid, [field]: value })).toEqual([problem]);
  });

  it('accepts null for the nullable fields and boundary lengths', () => {
    expect(
      contractProblems({
        ...valid,
        namespace: null,
        cluster_name: null,
        severity: null,
        duration_ms: null,
        parent_event_id: null,
        version: 'x'.repeat(20),
        correlation_id: 'é'.repeat(255),
      }),
    ).toEqual([]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(contractProblems({ ...valid, correlation_id: '😀'.repeat(255) })).toEqual([]);
    expect(contractProblems({ ...valid, correlation_id: '😀'.repeat(256) })).toEqual([
      'correlation_id must be at most 255 characters',
    ]);
  });

  it('refuses what is not an object at all', () => {
    expect(contractProblems('event')).toEqual(['event must be an object']);
  });
});

describe('timestampBound', () => {
  const now = new Date('2026-01-08T00:00:00Z');
  it.each([
    ['2026-01-08T00:05:00Z', undefined],
    ['2026-01-08T00:05:01Z', 'future'],
    ['2026-01-01T00:00:00Z', undefined],
    ['2025-12-31T23:59:59Z', 'too-old'],
  ])('places %s as %s', (timestamp, bound) => {
    expect(timestampBound(timestamp, now)).toBe(bound);
  });
});
