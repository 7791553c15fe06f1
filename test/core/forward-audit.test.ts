import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditStreamRecord,
  type ForwardSettings,
  forwardAudit,
} from '../../functions/core/forward-audit.js';
import { MetricName } from '../../functions/core/metric-name.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryDeadLetters } from '../fakes/memory-dead-letters.js';
import { RecordingMetrics } from '../fakes/recorders.js';
import { ScriptedAuditSink } from '../fakes/scripted-audit-sink.js';
import { manyEvents } from '../fixtures/audit-events.js';

const NOW = '2026-03-01T12:00:00.000Z';

const insert = (event: unknown, i: number, enteredAt?: Date): AuditStreamRecord => ({
  kind: 'audit',
  sequenceNumber: String(1000 + i),
  event,
  record: { pk: 'EXEC#x', sk: `AUDIT#${i}`, kind: 'audit', event },
  enteredAt,
});

function setup(options: { budgetMs?: number; settings?: Partial<ForwardSettings> } = {}) {
  const clock = fixedClock(NOW);
  const deadline = clock.now().getTime() + (options.budgetMs ?? 60_000);
  const sink = new ScriptedAuditSink();
  const deadLetters = new MemoryDeadLetters();
  const metrics = new RecordingMetrics();
  const sleeps: number[] = [];
  const deps = {
    sink,
    deadLetters,
    metrics,
    clock,
    random: () => 0.5,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    remainingMs: () => deadline - clock.now().getTime(),
    settings: { batchSize: 1000, requestTimeoutMs: 1000, ...options.settings },
  };
  return { clock, sink, deadLetters, metrics, sleeps, deps };
}

const events = (count: number) => manyEvents(count, new Date(Date.parse(NOW) - 3600_000));
const records = (list: unknown[]) => list.map((e, i) => insert(e, i));

describe('forwardAudit', () => {
  it('sends audit inserts in order, in batches of at most batchSize', async () => {
    const { sink, deps } = setup({ settings: { batchSize: 10 } });
    const sent = events(25);
    const report = await forwardAudit(records(sent), deps);
    expect(sink.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(sink.delivered).toEqual(sent);
    expect(report).toEqual({
      delivered: 25,
      deadLettered: [],
      skipped: [],
      retries: 0,
      possiblyDuplicated: 0,
    });
  });

  it('skips what the stream adapter says to skip, and reports why', async () => {
    const { sink, deps } = setup();
    const [event] = events(1);
    const report = await forwardAudit(
      [
        { kind: 'skip', sequenceNumber: '1', why: 'MODIFY change' },
        insert(event, 2),
        { kind: 'skip', sequenceNumber: '3', why: 'not an audit record (kind execution)' },
      ],
      deps,
    );
    expect(sink.delivered).toEqual([event]);
    expect(report.skipped).toEqual([
      { sequenceNumber: '1', why: 'MODIFY change' },
      { sequenceNumber: '3', why: 'not an audit record (kind execution)' },
    ]);
  });

  it('dead-letters a record it cannot decode, with the reason and the raw record', async () => {
    const { deadLetters, deps } = setup();
    const raw = { SequenceNumber: '7', NewImage: { event: { Z: 'x' } } };
    const report = await forwardAudit(
      [{ kind: 'undecodable', sequenceNumber: '7', error: 'bad attribute', raw }],
      deps,
    );
    expect(deadLetters.entries).toEqual([
      { record: raw, reason: 'stream record could not be decoded: bad attribute' },
    ]);
    expect(report.deadLettered).toEqual([
      { sequenceNumber: '7', reason: expect.stringContaining('bad attribute') },
    ]);
    expect(report.resumeAt).toBeUndefined();
  });

  it('dead-letters an event that breaks the contract without sending it', async () => {
    const { sink, deadLetters, deps } = setup();
    const good = events(2);
    const noCorrelation = { ...good[0]!, correlation_id: '' };
    const dataNotObject = { ...good[1]!, event_data: 'text' };
    const report = await forwardAudit(records([good[0], noCorrelation, dataNotObject, good[1]]), deps);
    expect(sink.delivered).toEqual(good);
    expect(sink.batches.flat()).toHaveLength(2);
    expect(deadLetters.entries.map((e) => e.reason)).toEqual([
      "event does not meet DataStorage's contract: correlation_id must be at least 1 characters",
      "event does not meet DataStorage's contract: event_data must be a JSON object",
    ]);
    expect(deadLetters.entries[0]!.event).toEqual(noCorrelation);
    expect(report.delivered).toBe(2);
  });

  it('dead-letters events older than DataStorage accepts (7 days) with that reason', async () => {
    const { sink, deadLetters, deps } = setup();
    const [old] = manyEvents(1, new Date(Date.parse(NOW) - 8 * 86_400_000));
    const [fresh] = events(1);
    await forwardAudit(records([old, fresh]), deps);
    expect(sink.delivered).toEqual([fresh]);
    expect(deadLetters.entries).toHaveLength(1);
    expect(deadLetters.entries[0]!.reason).toBe(
      `event is older than DataStorage accepts (7 days): event_timestamp ${old!.event_timestamp}`,
    );
  });

  it.each([
    { name: 'the first event', bad: [0] },
    { name: 'the last event', bad: [999] },
    { name: 'two neighbours', bad: [417, 418] },
    { name: 'three far apart', bad: [0, 500, 999] },
  ])('isolates exactly the refused events by splitting the batch: $name', async ({ bad }) => {
    const { sink, deadLetters, deps } = setup();
    const sent = events(1000);
    const badIds = new Set(bad.map((i) => sent[i]!.resource_id + sent[i]!.event_type));
    sink.refuse = (e) =>
      badIds.has(e.resource_id + e.event_type) ? 'invalid timestamp: in the future' : undefined;

    const report = await forwardAudit(records(sent), deps);

    expect(sink.delivered).toEqual(sent.filter((_, i) => !bad.includes(i)));
    expect(deadLetters.entries.map((e) => e.event)).toEqual(bad.map((i) => sent[i]));
    expect(deadLetters.entries[0]).toMatchObject({
      reason: 'DataStorage refused the event (400): event at index 0: invalid timestamp: in the future',
      problem: { type: 'https://kubernaut.ai/problems/validation-error', status: 400 },
      record: { kind: 'audit' },
    });
    expect(report.deadLettered.map((d) => d.sequenceNumber)).toEqual(bad.map((i) => String(1000 + i)));
    expect(report.resumeAt).toBeUndefined();
    // About 2·log2(1000) requests per bad event, not one per event.
    expect(sink.batches.length).toBeLessThanOrEqual(1 + bad.length * 2 * Math.ceil(Math.log2(1000)));
  });

  it('retries transient faults with exponential backoff and jitter, sleeping through the injected sleep', async () => {
    const { sink, sleeps, deps } = setup();
    sink.unavailable = 3;
    const sent = events(5);
    const report = await forwardAudit(records(sent), deps);
    // random() = 0.5: each wait is 3/4 of min(20 s, 200 ms · 2^attempt).
    expect(sleeps).toEqual([150, 300, 600]);
    expect(report).toMatchObject({ delivered: 5, retries: 3 });
    expect(report.resumeAt).toBeUndefined();
    expect(sink.delivered).toEqual(sent);
  });

  it('counts a resend after a lost answer as possibly duplicated, and resends that batch only', async () => {
    const { sink, metrics, deps } = setup({ settings: { batchSize: 10 } });
    sink.answerLost = 1;
    const sent = events(30);
    const report = await forwardAudit(records(sent), deps);
    expect(sink.batches.map((b) => b.length)).toEqual([10, 10, 10, 10]);
    expect(sink.batches[1]).toEqual(sink.batches[0]);
    expect(report).toMatchObject({ delivered: 30, possiblyDuplicated: 10 });
    expect(metrics.sum(MetricName.AuditPossiblyDuplicated)).toBe(10);
    expect(sink.delivered.length - new Set(sink.delivered).size).toBe(10);
  });

  it('counts nothing as possibly duplicated after an answer that says nothing was stored', async () => {
    const { sink, metrics, deps } = setup();
    sink.unavailable = 2;
    await forwardAudit(records(events(5)), deps);
    expect(metrics.sum(MetricName.AuditPossiblyDuplicated)).toBe(0);
  });

  it('waits at least as long as DataStorage asks with Retry-After', async () => {
    const { sink, sleeps, deps } = setup();
    sink.unavailable = 1;
    sink.retryAfterMs = 5000;
    await forwardAudit(records(events(1)), deps);
    expect(sleeps).toEqual([5000]);
  });

  it('stops when the invocation runs out of time and resumes at the first undelivered record', async () => {
    const { sink, deps, clock } = setup({ budgetMs: 30_000, settings: { batchSize: 10 } });
    const sent = events(30);
    let calls = 0;
    const send = sink.send.bind(sink);
    sink.send = async (batch) => {
      if (++calls > 1) sink.unavailable = Infinity;
      return send(batch);
    };
    const report = await forwardAudit(records(sent), deps);
    expect(sink.delivered).toEqual(sent.slice(0, 10));
    expect(report.resumeAt).toEqual({ sequenceNumber: '1010', error: 'DataStorage answered 500' });
    expect(report.retries).toBeGreaterThan(3);
    // It stopped with time left to return: never past the deadline, reserve kept.
    expect(deps.remainingMs()).toBeGreaterThanOrEqual(1000);
    expect(clock.now().getTime()).toBeLessThan(Date.parse(NOW) + 30_000);
  });

  it('does not start a request it has no time to finish', async () => {
    const { sink, deps } = setup({ budgetMs: 1500 });
    const report = await forwardAudit(records(events(3)), deps);
    expect(sink.batches).toEqual([]);
    expect(report.resumeAt).toEqual({
      sequenceNumber: '1000',
      error: 'no time left in this invocation to send',
    });
  });

  it('counts a record as undelivered when dead-lettering it fails, and sends nothing after it', async () => {
    const { sink, deadLetters, deps } = setup();
    const sent = events(10);
    const list: unknown[] = [...sent];
    list.splice(5, 0, { ...sent[0], event_outcome: 'maybe' });
    deadLetters.failWrites = 1;
    const report = await forwardAudit(records(list), deps);
    expect(sink.delivered).toEqual(sent.slice(0, 5));
    expect(report.resumeAt).toEqual({
      sequenceNumber: '1005',
      error: 'the dead-letter queue is unavailable',
    });
    expect(report.deadLettered).toEqual([]);
  });

  it('stops at a refused event it could not dead-letter, with the events before it delivered', async () => {
    const { sink, deadLetters, deps } = setup();
    const sent = events(8);
    sink.refuse = (e) => (e === sent[5] ? 'bad' : undefined);
    deadLetters.failWrites = 1;
    const report = await forwardAudit(records(sent), deps);
    expect(sink.delivered).toEqual(sent.slice(0, 5));
    expect(report.resumeAt?.sequenceNumber).toBe('1005');
  });

  it('dead-letters records that have waited in the stream past the give-up age instead of failing them again', async () => {
    const { sink, deadLetters, deps } = setup({
      budgetMs: 10_000,
      settings: { giveUpAfterMs: 6 * 3600_000 },
    });
    sink.unavailable = Infinity;
    const sent = events(4);
    const now = Date.parse(NOW);
    const entered = [7, 7, 1, 1].map((h) => new Date(now - h * 3600_000));
    const report = await forwardAudit(
      sent.map((e, i) => insert(e, i, entered[i])),
      deps,
    );
    expect(deadLetters.entries.map((e) => e.event)).toEqual(sent.slice(0, 2));
    expect(deadLetters.entries[0]!.reason).toBe(
      'DataStorage unavailable for the 7h0m0s this record has waited in the stream: DataStorage answered 500',
    );
    expect(report.resumeAt?.sequenceNumber).toBe('1002');
  });

  it('reports forwarded, retried, failed, dead-lettered and batch latency metrics', async () => {
    const { sink, metrics, deps } = setup({ budgetMs: 5000, settings: { batchSize: 2 } });
    const sent = events(4);
    sink.refuse = (e) => (e === sent[1] ? 'bad' : undefined);
    let calls = 0;
    const send = sink.send.bind(sink);
    sink.send = async (batch) => {
      if (++calls === 4) sink.unavailable = Infinity;
      return send(batch);
    };
    await forwardAudit(records(sent), deps);
    expect(metrics.sum(MetricName.AuditForwarded)).toBe(1);
    expect(metrics.sum(MetricName.AuditDeadLettered)).toBe(1);
    expect(metrics.sum(MetricName.AuditFailed)).toBe(2);
    expect(metrics.sum(MetricName.AuditRetried)).toBeGreaterThan(0);
    expect(metrics.entries.some((e) => e.name === MetricName.AuditBatchLatency)).toBe(true);
  });

  it('never reports success for a record that was neither delivered nor dead-lettered', async () => {
    const step = fc.record({
      valid: fc.boolean(),
      refused: fc.boolean(),
      unavailable: fc.nat({ max: 3 }),
      dlqFails: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (steps, batchSize) => {
          const { sink, deadLetters, deps } = setup({ budgetMs: 4000, settings: { batchSize } });
          const base = events(steps.length);
          const list = steps.map((s, i) => (s.valid ? base[i]! : { ...base[i]!, version: '' as '1.0' }));
          const refused = new Set(list.filter((_, i) => steps[i]!.refused));
          sink.refuse = (e) => (refused.has(e) ? 'refused' : undefined);
          let sends = 0;
          const send = sink.send.bind(sink);
          sink.send = async (batch) => {
            sink.unavailable = steps[sends++ % steps.length]!.unavailable > 2 ? 1 : 0;
            return send(batch);
          };
          let writes = 0;
          const park = deadLetters.send.bind(deadLetters);
          deadLetters.send = async (entries) => {
            deadLetters.failWrites = steps[writes++ % steps.length]!.dlqFails ? 1 : 0;
            return park(entries);
          };

          const report = await forwardAudit(records(list), deps);

          const resume = report.resumeAt ? Number(report.resumeAt.sequenceNumber) - 1000 : list.length;
          const parked = deadLetters.entries.map((e) => JSON.stringify(e.event));
          for (const [i, event] of list.entries()) {
            const wasDelivered = sink.delivered.includes(event);
            const wasParked = parked.includes(JSON.stringify(event));
            // Before the resume point: exactly one of the two. From it on: neither.
            if (i < resume) expect(wasDelivered !== wasParked).toBe(true);
            else expect(wasDelivered || wasParked).toBe(false);
          }
          expect(report.delivered + report.deadLettered.length).toBe(resume);
        },
      ),
      { numRuns: 200 },
    );
  });
});
