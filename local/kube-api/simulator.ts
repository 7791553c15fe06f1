/**
 * The Tekton simulator: plays the Tekton controller against the local API. It moves PipelineRuns
 * through Started → Running → Succeeded | Failed | PipelineRunTimeout | Cancelled, creates their
 * TaskRuns (`<run>-<pipelineTask>`, one pipeline task after another), and writes every status
 * through the status subresource, so generation stays put while resourceVersion moves and
 * watchers see MODIFIED events.
 *
 * Always on: a PipelineRun whose spec.status asks for cancellation is cancelled, and the TaskRuns
 * of a deleted PipelineRun are garbage-collected. Everything else happens only when a test calls
 * a method here (manual mode, no timers) or on timers (auto mode, see autopilot.ts).
 */

import { metadataOf, nameOf, timestamp } from './object-meta.js';
import type { ObjectApi } from './operations.js';
import { isJsonObject, type JsonObject, type JsonValue } from './patch.js';
import { PipelineRuns, TaskRuns } from './resources.js';
import { StatusError } from './status.js';
import type { Change, KubeObject } from './store.js';
import { isDone } from './tekton.js';
import {
  childReference,
  type StepOutcome,
  succeededCondition,
  type TaskCounts,
  taskRunName,
  taskRunStatus,
  tasksMessage,
} from './tekton-status.js';

export interface SimulatorOptions {
  /** 'manual' (the default, for tests): runs move only when a method is called. 'auto': on timers. */
  mode?: 'manual' | 'auto';
  /** Auto mode: time from start to finish (default 3000 ms); param WFE_SIMULATE_DURATION overrides it per run. */
  runDurationMs?: number;
  /** Auto mode: time from creation to start (default 100 ms). */
  startDelayMs?: number;
  /** The pipeline tasks of every run, in order (default ['remediate']). */
  tasks?: string[];
}

export interface FailOptions {
  /** The condition reason (default "Failed"). */
  reason?: string;
  /** The condition message (default Tekton's "Tasks Completed: …" for the task counts). */
  message?: string;
  /** Whether the run had started: false leaves startTime and childReferences out (default true). */
  started?: boolean;
  /**
   * The pipeline task that failed and its step's exit code. Tasks before it succeed, tasks after
   * it are skipped; a task not among the configured ones runs after them.
   */
  failedTask?: { name: string; exitCode: number; reason?: string };
}

export interface SucceedOptions {
  /** "Succeeded" (default) or "Completed" (some tasks were skipped). */
  reason?: string;
  message?: string;
}

const CANCEL_REQUESTS = ['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally'];
const CANCELLED_BY_PIPELINE = 'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.';
const TIMED_OUT_BY_PIPELINE = 'TaskRun cancelled as the PipelineRun it belongs to has timed out.';

const statusOf = (run: JsonObject): JsonObject => (isJsonObject(run.status) ? run.status : {});
const specOf = (run: JsonObject): JsonObject => (isJsonObject(run.spec) ? run.spec : {});
/** Tekton runs each TaskRun as the PipelineRun's taskRunTemplate service account. */
function serviceAccountOf(run: JsonObject): string {
  const template = specOf(run).taskRunTemplate;
  const account = isJsonObject(template) ? template.serviceAccountName : undefined;
  return typeof account === 'string' && account ? account : 'default';
}

/** The simulator as tests drive it. */
export type Simulator = Pick<
  TektonSimulator,
  | 'get'
  | 'start'
  | 'resolving'
  | 'pending'
  | 'succeed'
  | 'fail'
  | 'timeOut'
  | 'cancel'
  | 'setStatus'
  | 'delete'
>;

export class TektonSimulator {
  private readonly tasks: string[];

  constructor(
    private readonly api: ObjectApi,
    private readonly clock: () => Date,
    options: SimulatorOptions = {},
  ) {
    this.tasks = options.tasks?.length ? [...options.tasks] : ['remediate'];
  }

  /** The run as stored now. */
  get(namespace: string, name: string): KubeObject {
    return this.run(namespace, name) as unknown as KubeObject;
  }

  /** Started (startTime set), then Running with the first pipeline task's TaskRun. No-op once done. */
  start(namespace: string, name: string): KubeObject {
    let run = this.run(namespace, name);
    if (isDone(run)) return this.view(run);
    const now = this.now();
    let startTime = statusOf(run).startTime as string | undefined;
    if (!startTime) {
      startTime = now;
      this.api.mergeMetadata(PipelineRuns, namespace, name, {
        labels: { 'tekton.dev/pipeline': 'workflow' },
      });
      run = this.api.writeStatus(PipelineRuns, namespace, name, {
        conditions: [succeededCondition('Unknown', 'Started', '', now)],
        startTime,
      });
    }
    const tasks = this.tasksOf(run);
    const first = tasks[0] as string;
    this.ensureTaskRun(run, first, undefined);
    return this.view(
      this.api.writeStatus(PipelineRuns, namespace, name, {
        conditions: [
          succeededCondition(
            'Unknown',
            'Running',
            tasksMessage(
              { succeeded: 0, failed: 0, cancelled: 0, skipped: 0, incomplete: tasks.length },
              false,
            ),
            now,
          ),
        ],
        startTime,
        childReferences: [childReference(name, first)],
      }),
    );
  }

  /** Unknown/ResolvingPipelineRef: the bundle is being fetched. */
  resolving(namespace: string, name: string): KubeObject {
    const run = this.run(namespace, name);
    if (isDone(run)) return this.view(run);
    const now = this.now();
    return this.view(
      this.api.writeStatus(PipelineRuns, namespace, name, {
        conditions: [
          succeededCondition(
            'Unknown',
            'ResolvingPipelineRef',
            `PipelineRun ${namespace}/${name} awaiting remote resource`,
            now,
          ),
        ],
        startTime: (statusOf(run).startTime as string | undefined) ?? now,
      }),
    );
  }

  /** Unknown/PipelineRunPending, as Tekton reports a run created with spec.status PipelineRunPending. */
  pending(namespace: string, name: string): KubeObject {
    return this.view(
      this.api.writeStatus(PipelineRuns, namespace, name, {
        conditions: [
          succeededCondition('Unknown', 'PipelineRunPending', `PipelineRun "${name}" is pending`, this.now()),
        ],
      }),
    );
  }

  /** Every task succeeds: True/Succeeded with completionTime. Starts the run first if needed. */
  succeed(namespace: string, name: string, options: SucceedOptions = {}): KubeObject {
    const run = this.started(namespace, name);
    if (isDone(run)) return this.view(run);
    const tasks = this.tasksOf(run);
    for (const task of tasks) this.ensureTaskRun(run, task, { exitCode: 0 });
    const counts = { succeeded: tasks.length, failed: 0, cancelled: 0, skipped: 0, incomplete: 0 };
    return this.finish(
      run,
      'True',
      options.reason ?? 'Succeeded',
      options.message ?? tasksMessage(counts, true),
      {
        childReferences: tasks.map((t) => childReference(name, t)),
      },
    );
  }

  /** False with the given reason and message (default: a failed task's "Tasks Completed: …" message). */
  fail(namespace: string, name: string, options: FailOptions = {}): KubeObject {
    const started = options.started ?? true;
    let run = this.run(namespace, name);
    if (isDone(run)) return this.view(run);
    const extra: JsonObject = {};
    let counts: TaskCounts = { succeeded: 0, failed: 1, cancelled: 0, skipped: 0, incomplete: 0 };
    if (started && options.failedTask) {
      const failing = options.failedTask;
      const tasks = this.tasksOf(run);
      if (!tasks.includes(failing.name)) tasks.push(failing.name);
      const index = tasks.indexOf(failing.name);
      const ran = tasks.slice(0, index + 1);
      const skipped = tasks.slice(index + 1);
      run = this.started(namespace, name);
      for (const task of ran.slice(0, -1)) this.ensureTaskRun(run, task, { exitCode: 0 });
      this.ensureTaskRun(run, failing.name, {
        exitCode: failing.exitCode,
        ...(failing.reason ? { reason: failing.reason } : {}),
      });
      extra.childReferences = ran.map((t) => childReference(name, t));
      if (skipped.length)
        extra.skippedTasks = skipped.map((t) => ({ name: t, reason: 'PipelineRun was stopping' }));
      counts = { succeeded: index, failed: 1, cancelled: 0, skipped: skipped.length, incomplete: 0 };
    } else if (started) {
      const references = statusOf(run).childReferences;
      if (Array.isArray(references) && references.length) extra.childReferences = references;
    }
    return this.finish(
      run,
      'False',
      options.reason ?? 'Failed',
      options.message ?? tasksMessage(counts, true),
      extra,
      started,
    );
  }

  /** False/PipelineRunTimeout, quoting spec.timeouts.pipeline; running TaskRuns are cancelled. */
  timeOut(namespace: string, name: string): KubeObject {
    const run = this.started(namespace, name);
    if (isDone(run)) return this.view(run);
    this.cancelTaskRuns(run, TIMED_OUT_BY_PIPELINE);
    const timeouts = isJsonObject(specOf(run).timeouts) ? (specOf(run).timeouts as JsonObject) : {};
    const limit = String(timeouts.pipeline ?? '1h0m0s');
    return this.finish(
      run,
      'False',
      'PipelineRunTimeout',
      `PipelineRun "${name}" failed to finish within "${limit}"`,
      {
        childReferences: (statusOf(run).childReferences as JsonValue) ?? [],
      },
    );
  }

  /** What a user does to cancel: sets spec.status to Cancelled. The simulator then cancels the run. */
  cancel(namespace: string, name: string): KubeObject {
    this.api.patch(
      PipelineRuns,
      namespace,
      name,
      'application/merge-patch+json',
      JSON.stringify({ spec: { status: 'Cancelled' } }),
    );
    return this.get(namespace, name);
  }

  /** Writes a raw status through the status subresource, like Status().Update in Kubernaut's tests. */
  setStatus(namespace: string, name: string, status: Record<string, unknown>): KubeObject {
    return this.view(this.api.writeStatus(PipelineRuns, namespace, name, status as JsonObject));
  }

  /** Deletes the run (its TaskRuns follow, as garbage collection would). */
  delete(namespace: string, name: string): void {
    this.api.delete(PipelineRuns, namespace, name, { propagationPolicy: 'Background' });
  }

  /** The simulator's reaction to every change in the store: cancellation and garbage collection. */
  observe(change: Change): void {
    if (change.resource !== PipelineRuns) return;
    const namespace = String(metadataOf(change.object).namespace);
    const name = nameOf(change.object);
    if (change.type === 'DELETED') {
      this.collectTaskRuns(namespace, String(metadataOf(change.object).uid));
      return;
    }
    const requested = specOf(change.object).status;
    if (typeof requested === 'string' && CANCEL_REQUESTS.includes(requested) && !isDone(change.object)) {
      this.applyCancel(namespace, name);
    }
  }

  /** The configured pipeline tasks, plus any the run already references that are not among them. */
  tasksOf(run: JsonObject): string[] {
    const tasks = [...this.tasks];
    const references = statusOf(run).childReferences;
    for (const ref of Array.isArray(references) ? references : []) {
      const task = isJsonObject(ref) ? ref.pipelineTaskName : undefined;
      if (typeof task === 'string' && !tasks.includes(task)) tasks.push(task);
    }
    return tasks;
  }

  private applyCancel(namespace: string, name: string): void {
    const run = this.run(namespace, name);
    if (isDone(run)) return;
    this.cancelTaskRuns(run, CANCELLED_BY_PIPELINE);
    const references = statusOf(run).childReferences;
    this.finish(
      run,
      'False',
      'Cancelled',
      `PipelineRun "${name}" was cancelled`,
      Array.isArray(references) && references.length ? { childReferences: references } : {},
    );
  }

  private finish(
    run: JsonObject,
    status: 'True' | 'False',
    reason: string,
    message: string,
    extra: JsonObject,
    started = true,
  ): KubeObject {
    const now = this.now();
    const namespace = String(metadataOf(run).namespace);
    const startTime = (statusOf(run).startTime as string | undefined) ?? now;
    return this.view(
      this.api.writeStatus(PipelineRuns, namespace, nameOf(run), {
        conditions: [succeededCondition(status, reason, message, now)],
        ...(started ? { startTime } : {}),
        completionTime: now,
        ...extra,
      }),
    );
  }

  /** The run, started if it was not yet (Tekton always sets startTime on its first reconcile). */
  private started(namespace: string, name: string): JsonObject {
    const run = this.run(namespace, name);
    if (isDone(run) || statusOf(run).startTime) return run;
    this.start(namespace, name);
    return this.run(namespace, name);
  }

  /** Creates the task's TaskRun if missing, then gives it the outcome (undefined: running). */
  private ensureTaskRun(run: JsonObject, task: string, outcome: StepOutcome | undefined): void {
    const namespace = String(metadataOf(run).namespace);
    const runName = nameOf(run);
    const name = taskRunName(runName, task);
    const now = this.now();
    let taskRun = this.api.store.read(TaskRuns, namespace, name);
    if (!taskRun) {
      const meta = metadataOf(run);
      const labels = isJsonObject(meta.labels) ? meta.labels : {};
      taskRun = this.api.create(TaskRuns, namespace, {
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        metadata: {
          name,
          namespace,
          labels: {
            ...labels,
            'tekton.dev/pipelineRun': runName,
            'tekton.dev/pipelineTask': task,
            'tekton.dev/memberOf': 'tasks',
          },
          ownerReferences: [
            {
              apiVersion: 'tekton.dev/v1',
              kind: 'PipelineRun',
              name: runName,
              uid: String(meta.uid),
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          taskRef: { kind: 'Task', name: task },
          serviceAccountName: serviceAccountOf(run),
        },
      });
    }
    if (isDone(taskRun)) return;
    const startTime = (statusOf(taskRun).startTime as string | undefined) ?? now;
    this.api.writeStatus(
      TaskRuns,
      namespace,
      name,
      taskRunStatus({ name, task, startTime, now, ...(outcome ? { outcome } : {}) }),
    );
  }

  private cancelTaskRuns(run: JsonObject, why: string): void {
    const namespace = String(metadataOf(run).namespace);
    const references = statusOf(run).childReferences;
    for (const ref of Array.isArray(references) ? references : []) {
      if (!isJsonObject(ref) || typeof ref.name !== 'string') continue;
      const taskRun = this.api.store.read(TaskRuns, namespace, ref.name);
      if (!taskRun || isDone(taskRun)) continue;
      this.api.patch(
        TaskRuns,
        namespace,
        ref.name,
        'application/merge-patch+json',
        JSON.stringify({ spec: { status: 'TaskRunCancelled', statusMessage: why } }),
      );
      const now = this.now();
      this.api.writeStatus(
        TaskRuns,
        namespace,
        ref.name,
        taskRunStatus({
          name: ref.name,
          task: String(ref.pipelineTaskName ?? ref.name),
          startTime: (statusOf(taskRun).startTime as string | undefined) ?? now,
          now,
          outcome: 'cancelled',
          cancelMessage: `TaskRun "${ref.name}" was cancelled. ${why}`,
        }),
      );
    }
  }

  private collectTaskRuns(namespace: string, ownerUid: string): void {
    for (const taskRun of this.api.store.readAll(TaskRuns, namespace)) {
      const owners = metadataOf(taskRun).ownerReferences;
      const owned = Array.isArray(owners) && owners.some((o) => isJsonObject(o) && o.uid === ownerUid);
      if (owned) this.api.store.remove(TaskRuns, namespace, nameOf(taskRun));
    }
  }

  private run(namespace: string, name: string): JsonObject {
    return this.api.get(PipelineRuns, namespace, name);
  }

  private now(): string {
    return timestamp(this.clock());
  }

  private view(object: JsonObject): KubeObject {
    return object as unknown as KubeObject;
  }

  /** True when the error only says the run is gone (deleted while the simulator was busy with it). */
  static isGone(err: unknown): boolean {
    return err instanceof StatusError && err.status.code === 404;
  }
}
