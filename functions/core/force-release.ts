/**
 * The forced release of a target's lock by an operator (`wfe release`, SPEC WE-12): the way out of
 * a lock that must go before its cooldown or lease would free it. Audited with who and why.
 *
 * Primary course:
 *  1. Refuse a reason shorter than ten words: as Kubernaut's block clearance (BR-WE-013) asks, the
 *     audit trail must say why, not just that.
 *  2. Read the lock and its holder. Delete the holder's PipelineRun, only if it still carries the
 *     holder's owner labels (never another execution's run).
 *  3. In one transaction: delete the lock at the version read, mark the holder LockReleased, and
 *     write the `workflow.lock_force_released` audit record naming the person and the reason.
 *     A lock that changed meanwhile (reconcile moved it) is read again and the release retried.
 * A holder that was still Running loses its run; reconcile then ends it Failed ("deleted
 * externally", WE-6), so its end is audited as usual.
 */
import { AuditEventType, auditEvent } from './audit-event.js';
import { type FleetSettings, placeOf } from './clusters.js';
import type { Execution } from './execution.js';
import type { Lock } from './lock.js';
import type { Clock, Clusters, ExecutionStore } from './ports.js';
import type { StateChange } from './state-change.js';
import { withLockReleased } from './transitions.js';

export const MIN_REASON_WORDS = 10;
/** A lock rewritten under us this many times in a row means something keeps it busy: stop and say so. */
const MAX_ROUNDS = 5;

export interface ForceReleaseRequest {
  lockKey: string;
  reason: string;
  /** Who asks: the AWS caller identity, or the local user. */
  releasedBy: string;
}

export interface ForceReleaseDeps {
  store: ExecutionStore;
  clusters: Clusters;
  clock: Clock;
  settings: FleetSettings;
}

export type ForceReleaseOutcome =
  | { kind: 'released'; lock: Lock; run: 'deleted' | 'absent' | 'not-owner' }
  | { kind: 'refused'; reason: string }
  | { kind: 'no-lock' }
  | { kind: 'contended'; rounds: number };

const wordCount = (text: string): number => text.match(/\S+/g)?.length ?? 0;

/** Why `reason` cannot justify a forced release, or undefined when it can (step 1). */
export function reasonRefusal(reason: string): string | undefined {
  const words = wordCount(reason);
  if (words >= MIN_REASON_WORDS) return undefined;
  return `a forced release needs a reason of at least ${MIN_REASON_WORDS} words for the audit trail (got ${words}): say why this lock must go now`;
}

export async function forceRelease(
  request: ForceReleaseRequest,
  deps: ForceReleaseDeps,
): Promise<ForceReleaseOutcome> {
  const refusal = reasonRefusal(request.reason);
  if (refusal) return { kind: 'refused', reason: refusal };
  let deleted = false; // a run deleted in an earlier round reads as absent in the next
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const lock = await deps.store.readLock(request.lockKey);
    if (!lock) return { kind: 'no-lock' };
    const holder = await deps.store.read(lock.holder);
    const place = placeOf(lock.cluster, deps);
    const outcome = await place.cluster.deletePipelineRun(place.namespace, lock.pipelineRunName, lock.holder);
    deleted ||= outcome === 'deleted';
    const run = deleted ? 'deleted' : outcome;
    const written = await deps.store.write(releaseChange(lock, holder, request, run, deps.clock.now()));
    if (written.ok) return { kind: 'released', lock, run };
  }
  return { kind: 'contended', rounds: MAX_ROUNDS };
}

function releaseChange(
  lock: Lock,
  holder: Execution | undefined,
  request: ForceReleaseRequest,
  run: 'deleted' | 'absent' | 'not-owner',
  now: Date,
): StateChange {
  const actor = { type: 'user', id: request.releasedBy };
  const extra = {
    reason: request.reason,
    released_by: request.releasedBy,
    lock_state: lock.state,
    pipelinerun_name: lock.pipelineRunName,
    pipelinerun_deleted: run === 'deleted',
  };
  if (!holder) {
    // The holder's record is gone: the audit record still names it, with what the lock knows.
    const event = auditEvent(AuditEventType.LockForceReleased, unknownHolder(lock), now, actor, extra);
    event.event_data.phase = 'Unknown';
    return { lock: { op: 'delete', key: lock.key, expectVersion: lock.version }, audit: [event] };
  }
  const message = `Lock on ${lock.target} force-released by ${request.releasedBy}: ${request.reason}`;
  const next = withLockReleased(holder, message, now);
  return {
    executions: [{ next, expectVersion: holder.version }],
    lock: { op: 'delete', key: lock.key, expectVersion: lock.version },
    audit: [auditEvent(AuditEventType.LockForceReleased, next, now, actor, extra)],
  };
}

function unknownHolder(lock: Lock): Execution {
  return {
    id: lock.holder,
    specHash: '',
    target: lock.target,
    status: { phase: 'Pending', conditions: {} },
    createdAt: lock.acquiredAt,
    version: 0,
  };
}
