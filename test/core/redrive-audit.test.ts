import { describe, expect, it } from 'vitest';
import { redriveAudit } from '../../functions/core/redrive-audit.js';
import { MemoryDeadLetters } from '../fakes/memory-dead-letters.js';
import { ScriptedAuditSink } from '../fakes/scripted-audit-sink.js';
import { manyEvents } from '../fixtures/audit-events.js';

const events = (count: number) => manyEvents(count, new Date(Date.now() - 3600_000), 'we-redrive');

function parked(count: number) {
  const queue = new MemoryDeadLetters();
  const list = events(count);
  for (const event of list)
    queue.park({ event, record: { kind: 'audit', event }, reason: 'DataStorage answered 500' });
  return { queue, list };
}

describe('redriveAudit', () => {
  it('delivers every parked event and deletes it from the queue', async () => {
    const { queue, list } = parked(25);
    const sink = new ScriptedAuditSink();
    const report = await redriveAudit({ queue, sink });
    expect(report).toEqual({ delivered: 25, failed: [], remaining: 0 });
    expect(sink.delivered).toEqual(list);
    expect(sink.batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('leaves events DataStorage still refuses in the queue, visible again, with its reason', async () => {
    const { queue, list } = parked(12);
    const sink = new ScriptedAuditSink();
    sink.refuse = (e) =>
      e.resource_id === list[3]!.resource_id && e.event_type === list[3]!.event_type ? 'too old' : undefined;
    const report = await redriveAudit({ queue, sink });
    expect(report.delivered).toBe(11);
    expect(report.failed).toEqual([
      { id: 'm-3', reason: 'DataStorage refused the event (400): event at index 0: too old' },
    ]);
    expect(report.remaining).toBe(1);
    expect(queue.messages).toEqual([expect.objectContaining({ id: 'm-3', hidden: false })]);
  });

  it('stops at the first transient fault and leaves the rest for the next redrive', async () => {
    const { queue } = parked(15);
    const sink = new ScriptedAuditSink();
    let calls = 0;
    const send = sink.send.bind(sink);
    sink.send = async (batch) => {
      if (++calls === 2) sink.unavailable = 1;
      return send(batch);
    };
    const report = await redriveAudit({ queue, sink });
    expect(report.delivered).toBe(10);
    expect(report.failed).toHaveLength(5);
    expect(report.failed[0]!.reason).toBe('DataStorage unavailable: DataStorage answered 500');
    expect(report.remaining).toBe(5);
    expect(queue.messages.every((m) => !m.hidden)).toBe(true);
  });

  it('keeps messages it cannot replay, saying why', async () => {
    const queue = new MemoryDeadLetters();
    queue.park({ unreadable: 'body is not JSON' });
    queue.park({ record: { SequenceNumber: '9' }, reason: 'stream record could not be decoded: x' });
    const [event] = events(1);
    queue.park({
      event: { ...event!, event_outcome: 'maybe' as 'success' },
      record: {},
      reason: 'off-contract',
    });
    const sink = new ScriptedAuditSink();
    const report = await redriveAudit({ queue, sink });
    expect(sink.batches).toEqual([]);
    expect(report.failed.map((f) => f.reason)).toEqual([
      'not an audit dead letter: body is not JSON',
      'no event to replay (parked because: stream record could not be decoded: x)',
      "event does not meet DataStorage's contract: event_outcome must be one of success, failure, pending",
    ]);
    expect(report.remaining).toBe(3);
  });

  it('stops after maxMessages', async () => {
    const { queue } = parked(30);
    const report = await redriveAudit({ queue, sink: new ScriptedAuditSink(), maxMessages: 12 });
    expect(report.delivered).toBe(12);
    expect(report.remaining).toBe(18);
  });
});
