/**
 * Every outside dependency of the core, as a small interface. Adapters in functions/adapters/
 * implement them against AWS, Kubernetes and HTTP; tests use fakes from test/fakes/.
 * Expected outcomes are values; only transient faults (a dependency down, throttled or slow) throw.
 */
import type { AuditEventRequest } from './audit-event.js';
import type { Execution, PipelineRunStatusSummary } from './execution.js';
import type { ExecutionId } from './execution-id.js';
import type { Lock } from './lock.js';
import type { MetricName, MetricUnit } from './metric-name.js';
import type { PipelineRunObject } from './pipeline-run.js';
import type { StateChange, WriteResult } from './state-change.js';

export interface Clock {
  now(): Date;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

/**
 * A Running execution as the sweep's index shows it: enough to tell whether its run has moved on
 * since the last write, without reading the execution itself.
 */
export interface RunningEntry {
  id: ExecutionId;
  runName: string;
  /** The run summary last recorded (absent before the first refresh). */
  summary?: PipelineRunStatusSummary;
}

export interface ExecutionStore {
  read(id: ExecutionId): Promise<Execution | undefined>;
  readLock(key: string): Promise<Lock | undefined>;
  write(change: StateChange): Promise<WriteResult>;
  /**
   * How many shards each cluster's sweep work is spread over (0 … dueShards-1); each item belongs to
   * one cluster and one shard for its whole life, so one sweeper per cluster × shard sees every item once.
   */
  readonly dueShards: number;
  /** One cluster's shard's Running executions, oldest first. An index query: cost grows with what is active, not with history. */
  running(cluster: string, shard: number, limit: number, cursor?: string): Promise<Page<RunningEntry>>;
  /** The keys of one cluster's shard's locks whose lease or cooldown ended at or before `now`. An index query, never a Scan. */
  dueLocks(cluster: string, shard: number, now: Date, limit: number, cursor?: string): Promise<Page<string>>;
  /** Where the sweep of a cluster's shard stopped short last time (undefined: it went through). */
  sweepPoint(cluster: string, shard: number): Promise<string | undefined>;
  /** Keeps where the sweep of a cluster's shard stopped short; undefined clears it. */
  saveSweepPoint(cluster: string, shard: number, cursor: string | undefined): Promise<void>;
  /** Keeps why a request was dead-lettered, for `wfe rejections` (written once per dead letter). */
  recordRejection(rejection: Rejection): Promise<void>;
  /** How many executions are Running and how many locks are held in one cluster, counted over the sweep's index. */
  census(cluster: string): Promise<Census>;
}

/** What the system holds at one moment, for the dashboard's gauges. */
export interface Census {
  running: number;
  locksHeld: number;
}

/**
 * A request refused into the dead-letter queue. Its reason is kept in the table too, since a body at
 * the queue's size limit leaves the dead letter no room for one.
 */
export interface Rejection {
  /** The dead letter's message id. */
  messageId: string;
  reason: string;
  /** The request body's size in UTF-8 bytes. */
  bytes: number;
  at: string;
}

/** A PipelineRun as read back from the cluster, reduced to what the core decides on. */
export interface RunState {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  startTime?: string;
  completionTime?: string;
  succeeded?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  childReferences: { kind: string; name: string; pipelineTaskName?: string }[];
}

export interface TaskRunState {
  name: string;
  succeeded?: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  /** The first non-zero step exit code. */
  exitCode?: number;
}

export interface ClusterEvent {
  namespace: string;
  involvedObject: { kind: string; name: string; namespace: string; apiVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Cluster {
  /** 'created', or the run that already has that name (409 AlreadyExists). */
  createPipelineRun(run: PipelineRunObject): Promise<'created' | { exists: RunState }>;
  getPipelineRun(namespace: string, name: string): Promise<RunState | undefined>;
  /**
   * The system's runs in a namespace (a LIST by the label every run it creates carries), a page at a
   * time: the sweep reads a fleet's runs in a few requests instead of one GET each.
   */
  listPipelineRuns(namespace: string, limit: number, cursor?: string): Promise<Page<RunState>>;
  /** Deletes the run only if its owner labels name `owner`; never another execution's run. */
  deletePipelineRun(
    namespace: string,
    name: string,
    owner: ExecutionId,
  ): Promise<'deleted' | 'absent' | 'not-owner'>;
  getTaskRun(namespace: string, name: string): Promise<TaskRunState | undefined>;
  recordEvent(event: ClusterEvent): Promise<void>;
}

/**
 * The Kubernetes API of each cluster the deployment serves, by name (WE-16). A cluster that is
 * down fails the calls made to it, never the lookup, so only its own executions wait.
 */
export type Clusters = (name: string) => Cluster;

/** The request queue, for what the execute path sends back to it. */
export interface RequestQueue {
  /** Sends the request again, visible after `delaySeconds`: a fresh message, so waiting costs no receive. */
  defer(body: string, delaySeconds: number): Promise<void>;
  /**
   * Parks a request that can never succeed in the dead-letter queue, with as much of the reason
   * attached as the queue's size limit leaves room for; returns the dead letter's message id.
   */
  deadLetter(body: string, reason: string): Promise<string>;
}

/**
 * A timer on one lock (WE-13): fires when the lock is due (its cooldown or its lease ended). It names
 * the lock as written (token and version), so a lock released, taken over or rewritten since makes
 * it a no-op.
 */
export interface LockTimer {
  kind: 'lock-timer';
  key: string;
  token: number;
  version: number;
  /** When the lock is due (ISO 8601). */
  at: string;
}

/** A run an event named, to be read from the cluster (WE-13); `attempt` counts re-checks. */
export interface RunHint {
  kind: 'run';
  /** The cluster whose sink token the event came with (WE-16). */
  cluster: string;
  namespace: string;
  name: string;
  /** The CloudEvent type, for the logs. */
  type: string;
  /** Tekton's completionTime as the event reported it, for the end-detection delay. */
  completionTime?: string;
  attempt?: number;
}

/** The events queue: what the sink and the consumer put on it, visible after `delaySeconds` (SQS: at most 900). */
export interface EventQueue {
  send(message: RunHint, delaySeconds: number): Promise<void>;
}

/** One cluster's shard's sweep, as the scheduled fan-out sends it to the sweep queue. */
export interface SweepMessage {
  kind: 'sweep';
  cluster: string;
  shard: number;
}

/** The sweep queue: the schedule puts one message per cluster × shard on it; workers sweep one each. */
export interface SweepQueue {
  send(messages: SweepMessage[]): Promise<void>;
}

/** The timer queue (SQS DelaySeconds, at most 900). */
export interface TimerQueue {
  send(timer: LockTimer, delaySeconds: number): Promise<void>;
}

export interface Metrics {
  add(name: MetricName, unit: MetricUnit, value: number, dimensions?: Record<string, string>): void;
}

/** Structured logging: what the core did, and what it does not return (best-effort side effects that failed). */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /**
   * The same log with these keys on every line. A new value, not a change to this one: records of
   * one batch handled side by side each keep their own keys.
   */
  with(keys: Record<string, string>): Log;
}

/** DataStorage's answer to one batch. Transient faults are not answers: they throw DataStorageUnavailableError. */
export type DeliveryResult =
  | { kind: 'delivered'; eventIds: string[] }
  /** DataStorage refused the batch for something in it (4xx); batches are all-or-nothing. */
  | { kind: 'rejected'; status: number; problem: unknown };

/** DataStorage's batch endpoint (POST /api/v1/audit/events/batch). */
export interface AuditSink {
  send(events: AuditEventRequest[], signal?: AbortSignal): Promise<DeliveryResult>;
}

/** An audit record that could not be delivered, parked with the reason so it can be replayed. */
export interface AuditDeadLetter {
  event?: AuditEventRequest;
  /** The record as it came off the stream (the outbox item), kept for whoever investigates. */
  record: unknown;
  reason: string;
  /** DataStorage's problem-details body, when DataStorage refused the event. */
  problem?: unknown;
}

/** The audit dead-letter queue, write side. Throws when any entry was not stored. */
export interface AuditDeadLetters {
  send(entries: AuditDeadLetter[]): Promise<void>;
}

/** One message read back from the audit dead-letter queue. */
export interface ParkedAuditRecord {
  id: string;
  /** Opaque to the core: what the queue needs to delete or release this copy. */
  handle: string;
  /** The entry as written, or why the message could not be read as one. */
  entry: AuditDeadLetter | { unreadable: string };
}

/** The audit dead-letter queue, read side (for redrive). */
export interface AuditDeadLetterQueue {
  /** Up to `max` messages, hidden from other readers until deleted or released. */
  receive(max: number): Promise<ParkedAuditRecord[]>;
  delete(records: ParkedAuditRecord[]): Promise<void>;
  /** Makes messages visible again at once, for the next redrive. */
  release(records: ParkedAuditRecord[]): Promise<void>;
  /** Messages in the queue, visible or not (approximate, as SQS counts them). */
  depth(): Promise<number>;
}
