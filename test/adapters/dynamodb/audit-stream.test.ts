import { describe, expect, it } from 'vitest';
import { toAuditStreamRecord } from '../../../functions/adapters/dynamodb/audit-stream.js';
import { auditItem, executionItem } from '../../../functions/adapters/dynamodb/items.js';
import { executionOf, startedEvent } from '../../fixtures/audit-events.js';
import { changeRecord, outboxRecord, sequenceNumber } from '../../fixtures/dynamodb-stream-events.js';

const START = new Date('2026-03-01T10:00:00Z');

describe('toAuditStreamRecord (WE-10: the outbox as the forwarder reads it)', () => {
  it('reads an outbox INSERT as its event, the whole record and when it entered the stream', () => {
    const event = startedEvent({ name: 'we-1' }, START);
    expect(toAuditStreamRecord(outboxRecord(event, 3))).toEqual({
      kind: 'audit',
      sequenceNumber: sequenceNumber(3),
      event,
      record: auditItem(event),
      enteredAt: START,
    });
  });

  it('skips the changes that are not outbox INSERTs, saying why', () => {
    const event = startedEvent({ name: 'we-1' }, START);
    const execution = executionItem(
      executionOf({ name: 'we-1' }, { phase: 'Pending', conditions: {} }),
      1,
      START,
    );
    expect(toAuditStreamRecord(changeRecord('MODIFY', auditItem(event), 1))).toEqual({
      kind: 'skip',
      sequenceNumber: sequenceNumber(1),
      why: 'MODIFY change',
    });
    expect(toAuditStreamRecord(changeRecord('INSERT', execution, 2))).toEqual({
      kind: 'skip',
      sequenceNumber: sequenceNumber(2),
      why: 'not an audit record (kind execution)',
    });
  });

  it('carries a record without an image, or one the SDK cannot decode, raw as undecodable', () => {
    const noImage = changeRecord('INSERT', { pk: 'x', sk: 'y' }, 4);
    delete noImage.dynamodb!.NewImage;
    expect(toAuditStreamRecord(noImage)).toMatchObject({
      kind: 'undecodable',
      error: 'the record carries no new image',
      raw: noImage.dynamodb,
    });
    const unsafe = changeRecord('INSERT', { pk: 'x', sk: 'y' }, 5);
    unsafe.dynamodb!.NewImage = {
      kind: { S: 'audit' },
      event: { M: { version: { N: '-9007199254740993' } } },
    };
    expect(toAuditStreamRecord(unsafe)).toMatchObject({ kind: 'undecodable', raw: unsafe.dynamodb });
  });

  it.each([
    ['a set', { SS: ['a', 'b'] }, 'event.event_data.tags is a DynamoDB set'],
    ['binary', { B: new Uint8Array([1]) }, 'event.event_data.tags is DynamoDB binary'],
  ])(
    'reads an audit image holding %s (JSON cannot carry it) as undecodable, naming where',
    (_, value, error) => {
      const record = outboxRecord(startedEvent({ name: 'we-1' }, START), 6);
      const image = record.dynamodb!.NewImage!;
      image.event!.M!.event_data!.M!.tags = value as never;
      expect(toAuditStreamRecord(record)).toMatchObject({ kind: 'undecodable', error });
    },
  );
});
