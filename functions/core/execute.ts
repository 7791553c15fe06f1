/**
 * The execute use case: one request from the queue becomes at most one PipelineRun.
 *
 * Primary course:
 *  1. Validate the request (SPEC §2). Invalid with a readable identity → Failed/ConfigurationError;
 *     unreadable → the dead-letter queue with the reason.
 *  2. Read the execution and the target's lock. A redelivery of a request already past Pending is a no-op;
 *     a different spec under an existing identity goes to the dead-letter queue. A service account or
 *     bundle outside the operator's allow-lists → Failed/ConfigurationError, no lock, no run (WE-15).
 *  3. Lock gate: busy (holder not finished) → Failed/Deduplicated (WE-2); cooling → stay Pending and come
 *     back as a fresh message exactly when the cooldown ends (WE-3); free, expired or ours → take it
 *     with one conditional write (WE-1), deleting the previous holder's run if it still exists.
 *  4. Create the PipelineRun (WE-4): a 409 for our own run is adopted; another execution's → WE-2.
 *  5. Record Running with its workflow.started audit record in one transaction (WE-5, WE-9).
 * Returning means done; a thrown error means "retry this message" (cluster or DynamoDB unavailable).
 */
import { type AuditEventType, auditEvent } from './audit-event.js';
import { bounded } from './bounded-text.js';
import {
  CLUSTER_NAME,
  clusterMetrics,
  clusterSettings,
  type FleetSettings,
  type Place,
  placeOf,
  requestedCluster,
  unknownClusterMessage,
} from './clusters.js';
import { ClusterRejectedError } from './errors.js';
import { type Execution, FailureReason, isTerminal } from './execution.js';
import { type ExecutionId, executionKey } from './execution-id.js';
import { executionLogKeys } from './execution-log.js';
import { classifyFailure } from './failure-reason.js';
import { type GuardrailSettings, guardrailViolation } from './guardrails.js';
import { acquiredLock, coolingLock, decide, type Lock, runningLock } from './lock.js';
import { armLockTimer } from './lock-timer.js';
import { type Manifest, parseRequest, type RequestIdentity, requestHash } from './manifest.js';
import { MetricName } from './metric-name.js';
import { buildPipelineRun, isOwnedBy, ownerOf, pipelineRunName } from './pipeline-run.js';
import type { Clock, Clusters, ExecutionStore, Log, Metrics, RequestQueue, TimerQueue } from './ports.js';
import type { StateChange } from './state-change.js';
import { lockKey } from './target.js';
import {
  deferred,
  startTimeOf,
  toFailedBeforeExecution,
  toRunning,
  withLockReleased,
} from './transitions.js';
import { recordWorkflowEvent } from './workflow-events.js';

export interface ExecuteSettings extends GuardrailSettings, FleetSettings {
  serviceAccountName: string;
  cooldownMs: number;
  leaseMs: number;
}

export interface ExecuteDeps {
  store: ExecutionStore;
  clusters: Clusters;
  queue: RequestQueue;
  clock: Clock;
  metrics: Metrics;
  log: Log;
  settings: ExecuteSettings;
  /**
   * Waits in place (a real timer in Lambda, the fake clock in tests). With it, a request whose
   * cooldown ends within a second waits that out instead of being deferred, and deferrals round
   * down, so the start lands on the cooldown's end rather than up to a second after it (WE-3).
   */
  sleep?: (ms: number) => Promise<void>;
  /** Where a lock's timer goes: the new lock's lease (WE-8), a held lock's cooldown (WE-13). */
  timers?: TimerQueue;
}

export type ExecuteOutcome =
  | { kind: 'started'; id: string; pipelineRun: string; adopted: boolean }
  | { kind: 'deduplicated'; id: string; by: string }
  | { kind: 'deferred'; id: string; until: string; delaySeconds: number }
  | { kind: 'rejected'; id?: string; reason: string; deadLettered: boolean }
  | { kind: 'failed'; id: string; reason: string }
  | { kind: 'already-done'; id: string; phase: string }
  | { kind: 'conflict'; id: string; reason: string };

/** SQS caps DelaySeconds at 15 minutes; a longer wait is deferred again when the message returns. */
const MAX_DELAY_SECONDS = 900;
/** A cooldown ending this soon is waited out in the invocation rather than with another round trip through SQS. */
export const WAIT_IN_PLACE_MS = 1000;
/** Concurrent writers on one target resolve within a few rounds; more means something is wrong. */
const MAX_ROUNDS = 8;

/** One request, and one log line saying what became of it, with the execution's keys on every line. */
export async function execute(body: string, deps: ExecuteDeps): Promise<ExecuteOutcome> {
  const parsed = parseRequest(body);
  const id = parsed.ok
    ? idOf(parsed.manifest, deps.settings)
    : parsed.id && rejectedIdOf(parsed.id, deps.settings);
  const log = deps.log.with(
    parsed.ok
      ? executionLogKeys({ id: id!, target: parsed.manifest.spec.targetResource, manifest: parsed.manifest })
      : id
        ? { executionId: executionKey(id), cluster: id.cluster }
        : {},
  );
  const keyed = { ...deps, log, ...(id ? { metrics: clusterMetrics(deps.metrics, id.cluster) } : {}) };
  const outcome = parsed.ok
    ? await start(body, parsed.manifest, id!, keyed)
    : await reject(body, { ...parsed, id }, keyed);
  log.info('request processed', outcome);
  return outcome;
}

const idOf = (manifest: Manifest, fleet: FleetSettings): ExecutionId => ({
  cluster: requestedCluster(manifest.metadata.labels, fleet),
  namespace: manifest.metadata.namespace,
  name: manifest.metadata.name,
});

/**
 * A rejected request's cluster label is unvalidated: only a text that could name a cluster is used,
 * else the default cluster, so a hostile value (100 KB, say) never becomes a key DynamoDB refuses
 * and the rejection is still recorded.
 */
const rejectedIdOf = ({ labels, ...id }: RequestIdentity, fleet: FleetSettings): ExecutionId => {
  const named = requestedCluster(labels, fleet);
  return { cluster: CLUSTER_NAME.test(named) ? named : fleet.defaultCluster, ...id };
};

async function start(
  body: string,
  manifest: Manifest,
  id: ExecutionId,
  deps: ExecuteDeps,
): Promise<ExecuteOutcome> {
  const hash = requestHash(manifest);

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const outcome = await attempt(body, manifest, id, hash, deps);
    if (outcome !== 'retry') return outcome;
  }
  throw new Error(
    `execution ${executionKey(id)} kept conflicting with concurrent writers; retrying the message`,
  );
}

async function attempt(
  body: string,
  manifest: Manifest,
  id: ExecutionId,
  hash: string,
  deps: ExecuteDeps,
): Promise<ExecuteOutcome | 'retry'> {
  const { store, clock, settings } = deps;
  const key = executionKey(id);
  const target = manifest.spec.targetResource;
  const existing = await store.read(id);
  if (existing && existing.specHash !== hash) {
    const reason = `execution ${key} already exists with a different spec; use a new name for a new request`;
    await deadLetter(body, reason, deps);
    deps.metrics.add(MetricName.RequestsRejected, 'Count', 1);
    return { kind: 'conflict', id: key, reason };
  }
  if (existing && existing.status.phase !== 'Pending')
    return { kind: 'already-done', id: key, phase: existing.status.phase };

  const execution: Execution = existing ?? {
    id,
    manifest,
    specHash: hash,
    target,
    status: { phase: 'Pending', conditions: {} },
    createdAt: clock.now().toISOString(),
    version: 0,
  };
  // A cluster this deployment does not serve: nothing is locked or created anywhere (WE-16).
  if (!clusterSettings(settings, id.cluster))
    return refuse(execution, unknownClusterMessage(id.cluster, settings), deps);
  const refused = guardrailViolation(manifest, settings);
  if (refused) return refuse(execution, refused, deps);
  const lockId = lockKey(id.cluster, target);
  const now = clock.now();
  const decision = decide(await store.readLock(lockId), id, now);

  switch (decision.kind) {
    case 'busy':
      return deduplicate(execution, decision.holder, deps);
    case 'cooling': {
      const remaining = decision.until.getTime() - now.getTime();
      if (deps.sleep && remaining <= WAIT_IN_PLACE_MS) {
        await deps.sleep(remaining);
        return 'retry';
      }
      return defer(body, execution, decision.until, deps);
    }
    case 'held-by-me':
      return createAndRecord(execution, decision.lock, deps);
    case 'acquire':
    case 'take-over': {
      const previous = decision.kind === 'take-over' ? decision.from : undefined;
      const lock = acquiredLock({
        key: lockId,
        cluster: id.cluster,
        target,
        holder: id,
        pipelineRunName: pipelineRunName(target),
        previous,
        now,
        leaseMs: settings.leaseMs,
      });
      const change: StateChange = {
        executions: [{ next: execution, expectVersion: execution.version }],
        lock: { op: 'put', lock, expectVersion: previous ? previous.version : 'absent' },
      };
      const releasedHolder = previous ? await store.read(previous.holder) : undefined;
      if (previous && releasedHolder && !releasedHolder.status.conditions.LockReleased) {
        const message = `Lock released for ${target} after cooldown`;
        change.executions!.push({
          next: withLockReleased(releasedHolder, message, now),
          expectVersion: releasedHolder.version,
        });
      }
      const written = await store.write(change);
      if (!written.ok) return 'retry';
      deps.metrics.add(MetricName.LocksAcquired, 'Count', 1);
      await armLockTimer(lock, deps);
      if (previous) await lockTakenOver(previous, deps);
      const stored = { ...execution, version: execution.version + 1 };
      return createAndRecord(stored, lock, deps);
    }
  }
}

async function lockTakenOver(previous: Lock, deps: ExecuteDeps): Promise<void> {
  deps.metrics.add(MetricName.LocksReleased, 'Count', 1);
  deps.metrics.add(
    MetricName.LockHoldSeconds,
    'Seconds',
    (deps.clock.now().getTime() - Date.parse(previous.acquiredAt)) / 1000,
  );
  await recordWorkflowEvent(deps, placeOf(previous.cluster, deps), previous.pipelineRunName, {
    reason: 'LockReleased',
    message: `Lock released for ${previous.target} after cooldown`,
    type: 'Normal',
  });
  deps.log.info('lock taken over', { target: previous.target, from: executionKey(previous.holder) });
}

/**
 * Creates the run, or finds the one that has its name: ours is adopted; one left by an execution that
 * has finished (its lock expired and was taken over before reconcile cleaned up) is deleted — only if
 * still theirs — and created again; one whose owner is still going means the target is busy (WE-2).
 */
async function createRun(
  execution: Execution,
  run: ReturnType<typeof buildPipelineRun>,
  place: Place,
  deps: ExecuteDeps,
): Promise<{ adopted: boolean; runStartTime?: string } | { busyWith: ExecutionId | undefined }> {
  for (let tries = 0; tries < 3; tries++) {
    const created = await place.cluster.createPipelineRun(run);
    if (created === 'created') {
      deps.metrics.add(MetricName.PipelineRunCreations, 'Count', 1);
      return { adopted: false };
    }
    if (isOwnedBy(created.exists.labels, execution.id))
      return { adopted: true, runStartTime: created.exists.startTime };
    const owner = ownerOf(created.exists.labels, place.name);
    const ownerExecution = owner ? await deps.store.read(owner) : undefined;
    if (!owner || !ownerExecution || !isTerminal(ownerExecution.status.phase)) return { busyWith: owner };
    await place.cluster.deletePipelineRun(run.metadata.namespace, run.metadata.name, owner);
  }
  throw new Error(
    `PipelineRun ${run.metadata.name} kept reappearing while being replaced; retrying the message`,
  );
}

async function createAndRecord(
  execution: Execution,
  lock: Lock,
  deps: ExecuteDeps,
): Promise<ExecuteOutcome | 'retry'> {
  const { settings, clock } = deps;
  const manifest = execution.manifest!;
  const place = placeOf(execution.id.cluster, deps);
  const run = buildPipelineRun(manifest, {
    namespace: place.namespace,
    serviceAccountName: settings.serviceAccountName,
  });
  const askedAt = clock.now();
  let adopted: boolean;
  let runStartTime: string | undefined;
  try {
    const created = await createRun(execution, run, place, deps);
    if ('busyWith' in created) return deduplicate(execution, created.busyWith, deps, lock);
    ({ adopted, runStartTime } = created);
  } catch (err) {
    if (!(err instanceof ClusterRejectedError)) throw err;
    return failCreation(execution, lock, err, deps);
  }
  const now = clock.now();
  const startTime = startTimeOf(askedAt, runStartTime);
  const next = toRunning(
    execution,
    { name: run.metadata.name, namespace: run.metadata.namespace, adopted },
    startTime,
  );
  const written = await deps.store.write({
    executions: [{ next, expectVersion: execution.version }],
    lock: { op: 'put', lock: runningLock(lock, now, deps.settings.leaseMs), expectVersion: lock.version },
    audit: [auditEvent('workflow.started', next, startTime)],
  });
  if (!written.ok) return 'retry';
  return { kind: 'started', id: executionKey(execution.id), pipelineRun: run.metadata.name, adopted };
}

async function deduplicate(
  execution: Execution,
  holder: ExecutionId | undefined,
  deps: ExecuteDeps,
  heldLock?: Lock,
): Promise<ExecuteOutcome | 'retry'> {
  const now = deps.clock.now();
  const by = holder ? executionKey(holder) : 'an unknown owner';
  const runName = pipelineRunName(execution.target);
  const message = holder
    ? `Target resource ${execution.target} is locked by execution ${by} (PipelineRun ${runName}), which has not finished`
    : `PipelineRun '${runName}' already exists for target resource (owner label missing)`;
  const next = toFailedBeforeExecution(
    execution,
    {
      reason: holder ? FailureReason.Deduplicated : FailureReason.Unknown,
      message,
      workflowId: execution.manifest?.spec.workflowRef.workflowId ?? '',
      deduplicatedBy: holder ? by : undefined,
    },
    now,
  );
  const written = await writeFailure(next, deps, heldLock);
  if (!written) return 'retry';
  deps.metrics.add(MetricName.Deduplicated, 'Count', 1);
  return { kind: 'deduplicated', id: executionKey(execution.id), by };
}

async function refuse(
  execution: Execution,
  message: string,
  deps: ExecuteDeps,
): Promise<ExecuteOutcome | 'retry'> {
  const reason = FailureReason.ConfigurationError;
  const next = toFailedBeforeExecution(
    execution,
    { reason, message, workflowId: execution.manifest?.spec.workflowRef.workflowId ?? '' },
    deps.clock.now(),
  );
  if (!(await writeFailure(next, deps))) return 'retry';
  deps.metrics.add(MetricName.RequestsRejected, 'Count', 1);
  return { kind: 'failed', id: executionKey(execution.id), reason };
}

async function failCreation(
  execution: Execution,
  lock: Lock,
  err: ClusterRejectedError,
  deps: ExecuteDeps,
): Promise<ExecuteOutcome | 'retry'> {
  const reason = classifyFailure(err.reason, err.message);
  const next = toFailedBeforeExecution(
    execution,
    {
      reason,
      message: `PipelineRun creation was refused (HTTP ${err.code} ${err.reason}): ${err.message}`,
      workflowId: execution.manifest?.spec.workflowRef.workflowId ?? '',
    },
    deps.clock.now(),
  );
  if (!(await writeFailure(next, deps, lock))) return 'retry';
  return { kind: 'failed', id: executionKey(execution.id), reason };
}

/** Failed + workflow.failed in one transaction; a lock this execution held starts its cooldown (WE-3). */
async function writeFailure(next: Execution, deps: ExecuteDeps, heldLock?: Lock): Promise<boolean> {
  const now = deps.clock.now();
  const change: StateChange = {
    executions: [{ next, expectVersion: next.version }],
    audit: [auditEvent('workflow.failed', next, now)],
  };
  const cooling = heldLock && coolingLock(heldLock, now, deps.settings.cooldownMs);
  if (heldLock && cooling) change.lock = { op: 'put', lock: cooling, expectVersion: heldLock.version };
  const written = await deps.store.write(change);
  if (!written.ok) return false;
  if (cooling) await armLockTimer(cooling, deps);
  deps.metrics.add(MetricName.ReconcilerTotal, 'Count', 1, { outcome: 'Failed' });
  deps.metrics.add(MetricName.ReconcilerDuration, 'Seconds', 0, { outcome: 'Failed' });
  return true;
}

async function defer(
  body: string,
  execution: Execution,
  until: Date,
  deps: ExecuteDeps,
): Promise<ExecuteOutcome | 'retry'> {
  const now = deps.clock.now();
  const next = deferred(execution, execution.target, until, now);
  const already = execution.status.conditions.CooldownActive;
  if (
    execution.version === 0 ||
    already?.status !== 'True' ||
    already.message !== next.status.conditions.CooldownActive?.message
  ) {
    const written = await deps.store.write({ executions: [{ next, expectVersion: execution.version }] });
    if (!written.ok) return 'retry';
  }
  // SQS delays are whole seconds: round down when the rest can be waited out in place, else up.
  const seconds = (until.getTime() - now.getTime()) / 1000;
  const delaySeconds = Math.min(
    MAX_DELAY_SECONDS,
    Math.max(1, deps.sleep ? Math.floor(seconds) : Math.ceil(seconds)),
  );
  await deps.queue.defer(body, delaySeconds);
  deps.metrics.add(MetricName.CooldownDeferrals, 'Count', 1);
  return { kind: 'deferred', id: executionKey(execution.id), until: until.toISOString(), delaySeconds };
}

async function reject(
  body: string,
  parsed: { reason: string; id?: ExecutionId; raw?: unknown },
  deps: ExecuteDeps,
): Promise<ExecuteOutcome> {
  deps.metrics.add(MetricName.RequestsRejected, 'Count', 1);
  if (!parsed.id) {
    await deadLetter(body, parsed.reason, deps);
    return { kind: 'rejected', reason: parsed.reason, deadLettered: true };
  }
  const key = executionKey(parsed.id);
  const hash = requestHash(parsed.raw);
  // A lost write means another delivery stored this identity first: read again and judge against it.
  for (let round = 0; round < 2; round++) {
    const existing = await deps.store.read(parsed.id);
    if (existing) {
      if (existing.specHash === hash) return { kind: 'already-done', id: key, phase: existing.status.phase };
      const reason = `execution ${key} already exists with a different spec; this request is also invalid: ${parsed.reason}`;
      await deadLetter(body, reason, deps);
      return { kind: 'rejected', id: key, reason, deadLettered: true };
    }
    if (await writeFailure(rejectedExecution(parsed.id, parsed.raw, hash, parsed.reason, deps), deps))
      return { kind: 'rejected', id: key, reason: parsed.reason, deadLettered: false };
  }
  await deadLetter(body, parsed.reason, deps);
  return { kind: 'rejected', id: key, reason: parsed.reason, deadLettered: true };
}

/** The dead letter, and its reason in the table, where `wfe rejections` finds it whatever the body's size. */
async function deadLetter(body: string, reason: string, deps: ExecuteDeps): Promise<void> {
  const messageId = await deps.queue.deadLetter(body, reason);
  await deps.store.recordRejection({
    messageId,
    reason: bounded(reason),
    bytes: Buffer.byteLength(body, 'utf8'),
    at: deps.clock.now().toISOString(),
  });
}

/** A request that failed validation, as a Failed execution with reason ConfigurationError. */
function rejectedExecution(
  id: ExecutionId,
  request: unknown,
  hash: string,
  reason: string,
  deps: ExecuteDeps,
): Execution {
  const raw = request as { spec?: { targetResource?: unknown; workflowRef?: { workflowId?: unknown } } };
  const target = typeof raw?.spec?.targetResource === 'string' ? bounded(raw.spec.targetResource) : '';
  const now = deps.clock.now();
  const pending: Execution = {
    id,
    rejectedRequest: request,
    specHash: hash,
    target,
    status: { phase: 'Pending', conditions: {} },
    createdAt: now.toISOString(),
    version: 0,
  };
  const workflowId =
    typeof raw?.spec?.workflowRef?.workflowId === 'string' ? bounded(raw.spec.workflowRef.workflowId) : '';
  return toFailedBeforeExecution(
    pending,
    { reason: FailureReason.ConfigurationError, message: reason, workflowId },
    now,
  );
}

export type { AuditEventType };
