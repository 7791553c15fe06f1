/**
 * An AuditSink in memory that behaves as DataStorage does with batches (all-or-nothing) and can
 * be told to be unavailable or to refuse particular events.
 */
import type { AuditEventRequest } from '../../functions/core/audit-event.js';
import { DataStorageUnavailableError } from '../../functions/core/errors.js';
import type { AuditSink, DeliveryResult } from '../../functions/core/ports.js';

export class ScriptedAuditSink implements AuditSink {
  /** Every batch sent, delivered or not. */
  readonly batches: AuditEventRequest[][] = [];
  readonly delivered: AuditEventRequest[] = [];
  /** The next this-many sends throw DataStorageUnavailableError (Infinity: until changed). */
  unavailable = 0;
  retryAfterMs?: number;
  /** The next this-many sends store the batch and then lose the answer (no idempotency key). */
  answerLost = 0;
  /** Events for which this returns a problem are refused, and with them their whole batch. */
  refuse: (event: AuditEventRequest) => string | undefined = () => undefined;

  async send(events: AuditEventRequest[]): Promise<DeliveryResult> {
    this.batches.push(events);
    if (this.unavailable > 0) {
      this.unavailable--;
      throw new DataStorageUnavailableError('DataStorage answered 500', 500, this.retryAfterMs);
    }
    if (this.answerLost > 0) {
      this.answerLost--;
      this.delivered.push(...events);
      throw new DataStorageUnavailableError(
        'DataStorage request failed: socket hang up',
        undefined,
        undefined,
        {
          maybeStored: true,
        },
      );
    }
    for (const [i, event] of events.entries()) {
      const detail = this.refuse(event);
      if (detail)
        return {
          kind: 'rejected',
          status: 400,
          problem: {
            type: 'https://kubernaut.ai/problems/validation-error',
            status: 400,
            detail: `event at index ${i}: ${detail}`,
          },
        };
    }
    this.delivered.push(...events);
    return {
      kind: 'delivered',
      eventIds: events.map((_, i) => `id-${this.delivered.length - events.length + i}`),
    };
  }
}
