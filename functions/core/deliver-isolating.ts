/**
 * Delivers a run of events in order as one batch and, when DataStorage refuses the batch,
 * isolates the refused events by splitting it in halves. DataStorage batches are all-or-nothing,
 * so one bad event refuses the whole batch; the split finds it in about 2·log2(n) requests and the
 * good events around it are still delivered, in their order.
 */
import type { AuditEventRequest } from './audit-event.js';
import type { DeliveryResult } from './ports.js';

export type Refusal = Extract<DeliveryResult, { kind: 'rejected' }>;
/** DataStorage could not be reached in the time there was (after whatever retries the caller allows). */
export type Unavailable = { kind: 'unavailable'; error: unknown };

export interface IsolatingDelivery<T> {
  attempt(events: AuditEventRequest[]): Promise<DeliveryResult | Unavailable>;
  delivered(items: T[], eventIds: string[]): void;
  /** Parks one refused item; throws when it could not be parked. */
  refused(item: T, refusal: Refusal): Promise<void>;
}

/** One line for a refusal: the status and DataStorage's problem detail. */
export function describeRefusal(refusal: Refusal): string {
  const problem = refusal.problem as { detail?: unknown } | undefined;
  const detail =
    typeof problem?.detail === 'string'
      ? problem.detail
      : JSON.stringify(refusal.problem ?? null).slice(0, 500);
  return `DataStorage refused the event (${refusal.status}): ${detail}`;
}

export interface IsolationResult {
  /** Leading items that are done: delivered, or refused and parked. */
  done: number;
  /** Set when not all items are done: why the first undone one is not; nothing after it was sent. */
  stopped?: { error: unknown };
}

interface SliceResult extends IsolationResult {
  refusals: number;
}

/** Delivers `items` in order, parking each refused one alone; stops at the first it cannot finish. */
export async function deliverIsolating<T extends { event: AuditEventRequest }>(
  items: T[],
  delivery: IsolatingDelivery<T>,
): Promise<IsolationResult> {
  // `knownBad`: the batch this slice came from was refused and its other half went through
  // untouched, so sending this slice whole would only be refused again.
  async function run(slice: T[], knownBad: boolean): Promise<SliceResult> {
    if (!knownBad || slice.length === 1) {
      const result = await delivery.attempt(slice.map((i) => i.event));
      if (result.kind === 'unavailable') return { done: 0, stopped: { error: result.error }, refusals: 0 };
      if (result.kind === 'delivered') {
        delivery.delivered(slice, result.eventIds);
        return { done: slice.length, refusals: 0 };
      }
      if (slice.length === 1) {
        try {
          await delivery.refused(slice[0]!, result);
          return { done: 1, refusals: 1 };
        } catch (err) {
          return { done: 0, stopped: { error: err }, refusals: 0 };
        }
      }
    }
    const mid = Math.ceil(slice.length / 2);
    const left = await run(slice.slice(0, mid), false);
    if (left.stopped) return left;
    const right = await run(slice.slice(mid), left.refusals === 0);
    return { done: mid + right.done, stopped: right.stopped, refusals: left.refusals + right.refusals };
  }
  if (items.length === 0) return { done: 0 };
  const { done, stopped } = await run(items, false);
  return stopped ? { done, stopped } : { done };
}
