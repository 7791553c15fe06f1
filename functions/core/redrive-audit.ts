/**
 * Replays the audit dead-letter queue to DataStorage (`wfe audit redrive`).
 *
 * Primary course:
 *   1. Read the parked records, a receive at a time.
 *   2. Send their events as one batch; a refused batch is split to find the refused events.
 *   3. Delete what DataStorage took; leave the rest in the queue, visible again for the next
 *      redrive, each with the reason it failed this time.
 * It stops at the first transient fault (DataStorage down again) and never waits or retries:
 * the operator runs it again.
 */

import { contractProblems } from './audit-contract.js';
import type { AuditEventRequest } from './audit-event.js';
import { deliverIsolating, describeRefusal } from './deliver-isolating.js';
import type { AuditDeadLetterQueue, AuditSink, ParkedAuditRecord } from './ports.js';

export interface RedriveDeps {
  queue: AuditDeadLetterQueue;
  sink: AuditSink;
  /** Stop after this many messages (default: the whole queue). */
  maxMessages?: number;
}

export interface RedriveReport {
  delivered: number;
  failed: { id: string; reason: string }[];
  /** Messages still in the dead-letter queue afterwards. */
  remaining: number;
}

/** SQS hands out at most 10 messages per receive. */
const RECEIVE_MAX = 10;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One pass over the dead-letter queue; see the report for what is left and why. */
export async function redriveAudit({
  queue,
  sink,
  maxMessages = Infinity,
}: RedriveDeps): Promise<RedriveReport> {
  const report: RedriveReport = { delivered: 0, failed: [], remaining: 0 };
  const kept: ParkedAuditRecord[] = [];
  const seen = new Set<string>();
  const keep = (record: ParkedAuditRecord, reason: string) => {
    kept.push(record);
    report.failed.push({ id: record.id, reason });
  };

  let unavailable = false;
  while (!unavailable && seen.size < maxMessages) {
    const received = await queue.receive(Math.min(RECEIVE_MAX, maxMessages - seen.size));
    // A message seen before has come back into view: the whole queue has been read.
    const fresh = received.filter((r) => !seen.has(r.id));
    for (const r of received) if (seen.has(r.id)) kept.push(r);
    if (fresh.length === 0) break;

    const sendable: { record: ParkedAuditRecord; event: AuditEventRequest }[] = [];
    for (const record of fresh) {
      seen.add(record.id);
      const { entry } = record;
      if ('unreadable' in entry) keep(record, `not an audit dead letter: ${entry.unreadable}`);
      else if (!entry.event) keep(record, `no event to replay (parked because: ${entry.reason})`);
      else {
        const problems = contractProblems(entry.event);
        if (problems.length > 0)
          keep(record, `event does not meet DataStorage's contract: ${problems.join('; ')}`);
        else sendable.push({ record, event: entry.event });
      }
    }

    const delivered: ParkedAuditRecord[] = [];
    const outcome = await deliverIsolating(sendable, {
      attempt: async (events) => {
        try {
          return await sink.send(events);
        } catch (error) {
          return { kind: 'unavailable', error };
        }
      },
      delivered: (items) => {
        for (const item of items) delivered.push(item.record);
      },
      refused: async (item, refusal) => keep(item.record, describeRefusal(refusal)),
    });
    if (delivered.length > 0) await queue.delete(delivered);
    report.delivered += delivered.length;
    if (outcome.stopped) {
      unavailable = true;
      const reason = `DataStorage unavailable: ${message(outcome.stopped.error)}`;
      for (const item of sendable.slice(outcome.done)) keep(item.record, reason);
    }
  }

  if (kept.length > 0) await queue.release(kept);
  report.remaining = await queue.depth();
  return report;
}
