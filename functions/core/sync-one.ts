/**
 * The event path (WE-13): sync the one execution a Tekton event or a lock timer names, with the
 * sweep's own steps (reconcile.ts), so an event or a timer can only do sooner what the sweep would
 * do at its next tick.
 *
 * A run event is a hint: the run is read from the cluster, its owner labels name the execution,
 * and the execution must be the one its target's run name and the target's lock point to. Anything
 * else (a run the cluster does not have, one nobody here owns, a label naming an execution whose
 * run has another name) changes nothing. A lock timer acts only on the lock as it was written
 * (same token and version) and only once it is due.
 */
import * as z from 'zod/mini';
import { clusterMetrics, clusterSettings, placeOf } from './clusters.js';
import { type Execution, isTerminal } from './execution.js';
import { executionKey } from './execution-id.js';
import { executionLogKeys } from './execution-log.js';
import { type Lock, lockDueAt, sameExecution } from './lock.js';
import { sendTimer } from './lock-timer.js';
import { MetricName } from './metric-name.js';
import { ownerOf, pipelineRunName } from './pipeline-run.js';
import type { EventQueue, LockTimer, Log, RunHint } from './ports.js';
import { emptyReport, type SyncDeps, settleLock, syncOne } from './reconcile.js';
import { lockKey } from './target.js';

export type IgnoredReason =
  | 'unknown-cluster'
  | 'other-namespace'
  | 'run-gone'
  | 'unknown-run'
  | 'not-its-run';

export type RunSyncOutcome =
  | { kind: 'ignored'; reason: IgnoredReason }
  /** The run exists but its execution is not recorded Running yet: look again shortly. */
  | { kind: 'not-running-yet'; id: string }
  | { kind: 'already-ended'; id: string }
  | { kind: 'synced'; id: string; ended: boolean };

/** One run event, and one log line saying what became of it, with its execution's keys once known. */
export async function syncRun(hint: RunHint, unscoped: SyncDeps): Promise<RunSyncOutcome> {
  const deps = {
    ...unscoped,
    metrics: clusterMetrics(unscoped.metrics, hint.cluster),
    log: unscoped.log.with({ cluster: hint.cluster }),
  };
  let log = deps.log;
  const outcome = await decide(hint, deps, (execution) => {
    log = deps.log.with(executionLogKeys(execution));
    return log;
  });
  if (outcome.kind === 'ignored') {
    deps.metrics.add(MetricName.EventsIgnored, 'Count', 1, { reason: outcome.reason });
  }
  log.info('run event handled', { run: `${hint.namespace}/${hint.name}`, type: hint.type, outcome });
  return outcome;
}

async function decide(
  hint: RunHint,
  deps: SyncDeps,
  about: (execution: Execution) => Log,
): Promise<RunSyncOutcome> {
  if (!clusterSettings(deps.settings, hint.cluster)) return { kind: 'ignored', reason: 'unknown-cluster' };
  const place = placeOf(hint.cluster, deps);
  if (hint.namespace !== place.namespace) return { kind: 'ignored', reason: 'other-namespace' };
  const run = await place.cluster.getPipelineRun(hint.namespace, hint.name);
  if (!run) return { kind: 'ignored', reason: 'run-gone' };
  const owner = ownerOf(run.labels, hint.cluster);
  const execution = owner ? await deps.store.read(owner) : undefined;
  if (!execution) return { kind: 'ignored', reason: 'unknown-run' };
  const log = about(execution);
  const id = executionKey(execution.id);
  if (
    pipelineRunName(execution.target) !== run.name ||
    (execution.status.pipelineRunRef && execution.status.pipelineRunRef.name !== run.name)
  ) {
    return { kind: 'ignored', reason: 'not-its-run' };
  }
  if (isTerminal(execution.status.phase)) return { kind: 'already-ended', id };
  if (execution.status.phase !== 'Running') {
    const lock = await deps.store.readLock(lockKey(execution.id.cluster, execution.target));
    if (!lock || !sameExecution(lock.holder, execution.id)) return { kind: 'ignored', reason: 'not-its-run' };
    return { kind: 'not-running-yet', id };
  }
  const report = emptyReport();
  await syncOne(execution, { ...deps, log, trigger: 'event' }, report, { run });
  return { kind: 'synced', id, ended: report.completed + report.failed > 0 };
}

export type TimerOutcome = 'stale' | 're-sent' | 'settled';

/** WE-7/WE-8 for the lock a timer names, when it is still that lock and it is due; sent again if not yet due. */
export async function fireLockTimer(timer: LockTimer, deps: SyncDeps): Promise<TimerOutcome> {
  const lock = await deps.store.readLock(timer.key);
  const log = deps.log.with({
    lock: timer.key,
    ...(lock ? { executionId: executionKey(lock.holder), cluster: lock.cluster, target: lock.target } : {}),
  });
  const metrics = lock ? clusterMetrics(deps.metrics, lock.cluster) : deps.metrics;
  const outcome = await fire(timer, lock, { ...deps, log, metrics });
  log.info('lock timer handled', { outcome });
  return outcome;
}

async function fire(timer: LockTimer, lock: Lock | undefined, deps: SyncDeps): Promise<TimerOutcome> {
  if (!lock || lock.token !== timer.token || lock.version !== timer.version) return 'stale';
  const at = lockDueAt(lock);
  if (!at) return 'stale';
  if (Date.parse(at) > deps.clock.now().getTime()) {
    await sendTimer({ ...timer, at }, deps);
    return 're-sent';
  }
  await settleLock(lock, { ...deps, trigger: 'timer' }, emptyReport());
  return 'settled';
}

const present = () => z.string().check(z.minLength(1));
const eventMessage = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('run'),
    cluster: present(),
    namespace: present(),
    name: present(),
    type: z.string(),
    completionTime: z.optional(z.string()),
    attempt: z.optional(z.int().check(z.gte(0))),
  }),
  z.object({
    kind: z.literal('lock-timer'),
    key: present(),
    token: z.int(),
    version: z.int(),
    at: z.iso.datetime({ offset: true }),
  }),
]);

/** A message body from the events or timer queue, or undefined when it is neither. */
export function parseEventMessage(body: string): RunHint | LockTimer | undefined {
  try {
    const parsed = eventMessage.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Re-checks of a run whose execution is not Running yet: 5 × 2 s, then the sweep has it. */
export const RECHECK_DELAY_SECONDS = 2;
export const MAX_RECHECKS = 5;

/**
 * One message from the events or timer queue. A run seen before its execution is recorded Running
 * (it ended within the moment between create and record) is looked at again a few times; after
 * that, the execution's Running record and the sweep carry it.
 */
export type EventOutcome =
  | RunSyncOutcome
  | { kind: 'timer'; outcome: TimerOutcome }
  | { kind: 're-queued'; attempt: number };

export async function handleEventMessage(
  message: RunHint | LockTimer,
  deps: SyncDeps & { events: EventQueue },
): Promise<EventOutcome> {
  if (message.kind === 'lock-timer') return { kind: 'timer', outcome: await fireLockTimer(message, deps) };
  const outcome = await syncRun(message, deps);
  const attempt = (message.attempt ?? 0) + 1;
  if (outcome.kind === 'not-running-yet' && attempt <= MAX_RECHECKS) {
    await deps.events.send({ ...message, attempt }, RECHECK_DELAY_SECONDS);
    return { kind: 're-queued', attempt };
  }
  return outcome;
}

/**
 * The messages of one batch, handled with one sync per run: Tekton sends several events for a run
 * at once (started and running together; started, running and successful for a short run), and
 * every message of a batch was sent before the batch was received, so the run read for the first is
 * at least as new as what any of the others announces. The others share its outcome (and its
 * failure, so they are retried with it).
 */
export function batchOfEvents(
  deps: SyncDeps & { events: EventQueue },
): (message: RunHint | LockTimer) => Promise<EventOutcome | { kind: 'shared'; with: EventOutcome }> {
  const runs = new Map<string, Promise<EventOutcome>>();
  return async (message) => {
    if (message.kind !== 'run') return handleEventMessage(message, deps);
    const key = `${message.cluster}/${message.namespace}/${message.name}`;
    const first = runs.get(key);
    if (first) return { kind: 'shared', with: await first };
    const handled = handleEventMessage(message, deps);
    runs.set(key, handled);
    return handled;
  };
}
