/**
 * Forwards the audit outbox to DataStorage (SPEC WE-10): the records of one stream batch, in order.
 *
 * Primary course:
 *   1. Keep the audit records; skip the rest of the table's changes (the stream adapter says which).
 *   2. Park what DataStorage can never accept (unreadable, off-contract, older than its 7 days).
 *   3. Send the others in batches of at most `batchSize`; a refused batch is split to isolate the
 *      refused events, which are parked with DataStorage's problem details.
 *   4. Retry DataStorage's transient faults with backoff while the invocation has time; then stop
 *      and say where the stream must resume, so the stream retries in order.
 *
 * Every record ends delivered, parked or at/after the resume point: nothing is dropped. A record
 * that has waited in the stream longer than `giveUpAfterMs` is parked instead of failed again,
 * with its event, before the event source mapping gives up on it (its on-failure destination
 * receives only shard and sequence numbers) or the stream's 24 h retention expires it.
 */

import { contractProblems, timestampBound } from './audit-contract.js';
import type { AuditEventRequest } from './audit-event.js';
import { deliverIsolating, describeRefusal } from './deliver-isolating.js';
import { formatDuration } from './duration.js';
import { DataStorageUnavailableError } from './errors.js';
import { MetricName } from './metric-name.js';
import type {
  AuditDeadLetter,
  AuditDeadLetters,
  AuditSink,
  Clock,
  DeliveryResult,
  Metrics,
} from './ports.js';

/** One record of the table's stream, as the stream adapter read it. */
export type AuditStreamRecord =
  | {
      kind: 'audit';
      sequenceNumber: string;
      /** The outbox record's event, not yet checked against DataStorage's contract. */
      event: unknown;
      /** The whole record, kept with the event when it is parked. */
      record: unknown;
      /** When the change entered the stream. */
      enteredAt?: Date;
    }
  | { kind: 'skip'; sequenceNumber: string; why: string }
  | { kind: 'undecodable'; sequenceNumber: string; error: string; raw: unknown };

export interface ForwardSettings {
  /** Events per request; DataStorage's clients send at most 1000. */
  batchSize: number;
  /** A request is only started when this much time, plus `reserveMs`, is left. */
  requestTimeoutMs: number;
  /** Time kept back to park records and return before the invocation times out. */
  reserveMs?: number;
  retry?: { baseMs: number; maxMs: number };
  /** How long a record may wait in the stream before it is parked rather than failed again. */
  giveUpAfterMs?: number;
}

export interface ForwardAuditDeps {
  sink: AuditSink;
  deadLetters: AuditDeadLetters;
  metrics: Metrics;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  /** Time left in this invocation. */
  remainingMs(): number;
  /** In [0, 1); jitters the backoff. */
  random?: () => number;
  settings: ForwardSettings;
}

export interface ForwardReport {
  delivered: number;
  deadLettered: { sequenceNumber: string; reason: string }[];
  skipped: { sequenceNumber: string; why: string }[];
  retries: number;
  /** Events sent again after an answer was lost (wfe_audit_events_possibly_duplicated_total). */
  possiblyDuplicated: number;
  /** The first record neither delivered nor parked; the stream resumes here. Absent when all are done. */
  resumeAt?: { sequenceNumber: string; error: string };
}

export const FORWARD_DEFAULTS = {
  reserveMs: 1000,
  retry: { baseMs: 200, maxMs: 20_000 },
  // Inside the mapping's limits as deployed: maxRecordAge 6 h, and 100 retries of the
  // 35–50 s an invocation spends retrying (60 s timeout), so about an hour at the least.
  giveUpAfterMs: 30 * 60_000,
} as const;

type Sendable = { sequenceNumber: string; event: AuditEventRequest; record: unknown; enteredAt?: Date };
type Step =
  | { kind: 'skip'; sequenceNumber: string; why: string }
  | { kind: 'park'; sequenceNumber: string; entry: AuditDeadLetter }
  | ({ kind: 'send' } & Sendable);

function classify(record: AuditStreamRecord, now: Date): Step {
  const { sequenceNumber } = record;
  if (record.kind === 'skip') return record;
  if (record.kind === 'undecodable')
    return {
      kind: 'park',
      sequenceNumber,
      entry: { record: record.raw, reason: `stream record could not be decoded: ${record.error}` },
    };
  const problems = contractProblems(record.event);
  if (problems.length > 0) {
    const event =
      typeof record.event === 'object' && record.event ? (record.event as AuditEventRequest) : undefined;
    const reason = `event does not meet DataStorage's contract: ${problems.join('; ')}`;
    return { kind: 'park', sequenceNumber, entry: { event, record: record.record, reason } };
  }
  const event = record.event as AuditEventRequest;
  if (timestampBound(event.event_timestamp, now) === 'too-old') {
    const reason = `event is older than DataStorage accepts (7 days): event_timestamp ${event.event_timestamp}`;
    return { kind: 'park', sequenceNumber, entry: { event, record: record.record, reason } };
  }
  return { kind: 'send', sequenceNumber, event, record: record.record, enteredAt: record.enteredAt };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Forwards one stream batch; the report's `resumeAt` is the batch item failure to return. */
export async function forwardAudit(
  records: readonly AuditStreamRecord[],
  deps: ForwardAuditDeps,
): Promise<ForwardReport> {
  const { sink, deadLetters, metrics, clock } = deps;
  const settings = { ...FORWARD_DEFAULTS, ...deps.settings };
  const random = deps.random ?? Math.random;
  const report: ForwardReport = {
    delivered: 0,
    deadLettered: [],
    skipped: [],
    retries: 0,
    possiblyDuplicated: 0,
  };

  const now = clock.now();
  const plan: Exclude<Step, { kind: 'skip' }>[] = [];
  for (const record of records) {
    const step = classify(record, now);
    if (step.kind === 'skip') report.skipped.push({ sequenceNumber: step.sequenceNumber, why: step.why });
    else plan.push(step);
  }

  const hasTimeFor = (waitMs: number) =>
    deps.remainingMs() >= waitMs + settings.requestTimeoutMs + settings.reserveMs;

  // Sends one batch, retrying transient faults with exponential backoff and jitter while time lasts.
  // DataStorage has no idempotency key: a resend after a lost answer may store the batch twice, so
  // it resends exactly that batch (never more) and counts it as possibly duplicated.
  async function attempt(
    events: AuditEventRequest[],
  ): Promise<DeliveryResult | { kind: 'unavailable'; error: unknown }> {
    let lastError: unknown = new DataStorageUnavailableError('no time left in this invocation to send');
    for (let attemptNo = 0; ; attemptNo++) {
      if (!hasTimeFor(0)) return { kind: 'unavailable', error: lastError };
      const started = clock.now().getTime();
      if (lastError instanceof DataStorageUnavailableError && lastError.maybeStored) {
        report.possiblyDuplicated += events.length;
        metrics.add(MetricName.AuditPossiblyDuplicated, 'Count', events.length);
      }
      try {
        const result = await sink.send(events);
        metrics.add(MetricName.AuditBatchLatency, 'Milliseconds', clock.now().getTime() - started);
        return result;
      } catch (err) {
        lastError = err;
      }
      const ceiling = Math.min(settings.retry.maxMs, settings.retry.baseMs * 2 ** attemptNo);
      const jittered = ceiling / 2 + random() * (ceiling / 2);
      const retryAfter = lastError instanceof DataStorageUnavailableError ? (lastError.retryAfterMs ?? 0) : 0;
      const delay = Math.round(Math.max(jittered, retryAfter));
      if (!hasTimeFor(delay)) return { kind: 'unavailable', error: lastError };
      report.retries++;
      metrics.add(MetricName.AuditRetried, 'Count', events.length);
      await deps.sleep(delay);
    }
  }

  async function park(steps: { sequenceNumber: string; entry: AuditDeadLetter }[]): Promise<void> {
    await deadLetters.send(steps.map((s) => s.entry));
    metrics.add(MetricName.AuditDeadLettered, 'Count', steps.length);
    for (const s of steps)
      report.deadLettered.push({ sequenceNumber: s.sequenceNumber, reason: s.entry.reason });
  }

  const stopAt = (index: number, error: unknown): ForwardReport => {
    const step = plan[index]!;
    report.resumeAt = { sequenceNumber: step.sequenceNumber, error: message(error) };
    metrics.add(MetricName.AuditFailed, 'Count', plan.length - index);
    return report;
  };

  let i = 0;
  while (i < plan.length) {
    const step = plan[i]!;
    if (step.kind === 'park') {
      let end = i;
      while (end < plan.length && plan[end]!.kind === 'park') end++;
      try {
        await park(plan.slice(i, end) as Extract<Step, { kind: 'park' }>[]);
      } catch (err) {
        return stopAt(i, err);
      }
      i = end;
      continue;
    }

    const run: Sendable[] = [];
    while (i + run.length < plan.length && run.length < settings.batchSize) {
      const next = plan[i + run.length]!;
      if (next.kind !== 'send') break;
      run.push(next);
    }
    const outcome = await deliverIsolating(run, {
      attempt,
      delivered: (items) => {
        report.delivered += items.length;
        metrics.add(MetricName.AuditForwarded, 'Count', items.length);
      },
      refused: (item, refusal) =>
        park([
          {
            sequenceNumber: item.sequenceNumber,
            entry: {
              event: item.event,
              record: item.record,
              reason: describeRefusal(refusal),
              problem: refusal.problem,
            },
          },
        ]),
    });
    i += outcome.done;
    if (!outcome.stopped) continue;

    // DataStorage stayed unavailable: records that have waited past the give-up age are parked
    // (in order, a prefix, since the stream is ordered); the stream retries the rest.
    const cutoff = now.getTime() - settings.giveUpAfterMs;
    const stale: Extract<Step, { kind: 'park' }>[] = [];
    for (const s of run.slice(outcome.done)) {
      if (!s.enteredAt || s.enteredAt.getTime() > cutoff) break;
      stale.push({
        kind: 'park',
        sequenceNumber: s.sequenceNumber,
        entry: {
          event: s.event,
          record: s.record,
          reason: `DataStorage unavailable for the ${formatDuration(now.getTime() - s.enteredAt.getTime())} this record has waited in the stream: ${message(outcome.stopped.error)}`,
        },
      });
    }
    if (stale.length === 0) return stopAt(i, outcome.stopped.error);
    try {
      await park(stale);
    } catch (err) {
      return stopAt(i, err);
    }
    i += stale.length;
  }
  return report;
}
