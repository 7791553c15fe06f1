/**
 * The Cluster port on a real Kubernetes API (or the project's local one), through the adapter's
 * own REST client (api-client.ts). Every request has its own timeout, so a slow API server never
 * holds a Lambda to its deadline. Expected outcomes (created, exists, absent, not-owner) are values;
 * failures are ClusterUnavailableError (retry) or ClusterRejectedError (refused for good).
 */
import { ClusterUnavailableError } from '../../core/errors.js';
import type { ExecutionId } from '../../core/execution-id.js';
import { isOwnedBy, Label, type PipelineRunObject } from '../../core/pipeline-run.js';
import type { Clock, Cluster, ClusterEvent, Page, RunState, TaskRunState } from '../../core/ports.js';
import { KubeApiClient } from './api-client.js';
import { apiFailure, clusterError } from './api-error.js';
import type { ClusterConnection } from './connection.js';
import { type ClusterAccess, type CredentialSources, connectionFor } from './credentials.js';
import { toRunState, toTaskRunState } from './run-state.js';

export const EVENT_SOURCE = 'workflowexecution-controller';
const DEFAULT_TIMEOUT_MS = 10_000;
/** A name that is deleted and re-created under us keeps us deciding again; past this, retry later. */
const MAX_ATTEMPTS = 5;

const PIPELINE_RUNS = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' } as const;
const TASK_RUNS = { group: 'tekton.dev', version: 'v1', plural: 'taskruns' } as const;
const EVENTS = { group: '', version: 'v1', plural: 'events' } as const;

export interface ClusterOptions {
  /** The longest any single request may take (default 10 s). */
  requestTimeoutMs?: number;
  /** Timestamps of recorded events (default: the system clock). */
  clock?: Clock;
}

export interface ConnectOptions extends ClusterOptions {
  /** Replaces the AWS calls behind the credentials (tests). */
  sources?: CredentialSources;
}

/** A 404 about the object itself (its Status names it), not about a resource the server does not serve. */
function isObjectNotFound(err: unknown): boolean {
  const failure = apiFailure(err);
  return failure?.code === 404 && Boolean(failure.details?.name);
}

let eventSequence = 0;

/** metav1.Time: RFC 3339 in whole seconds. */
const metaTime = (at: Date) => at.toISOString().replace(/\.\d+Z$/, 'Z');

/** client-go's event name: the object's name and the time in nanoseconds, in hex. */
function eventName(objectName: string, at: Date): string {
  eventSequence = (eventSequence + 1) % 1_000_000;
  const nanos = BigInt(at.getTime()) * 1_000_000n + BigInt(eventSequence);
  return `${objectName}.${nanos.toString(16)}`;
}

export class KubernetesCluster implements Cluster {
  private readonly api: KubeApiClient;
  private readonly clock: Clock;

  constructor(connection: ClusterConnection, options: ClusterOptions = {}) {
    this.api = new KubeApiClient(connection, options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.clock = options.clock ?? { now: () => new Date() };
  }

  async createPipelineRun(run: PipelineRunObject): Promise<'created' | { exists: RunState }> {
    const { namespace, name } = run.metadata;
    const action = `create PipelineRun ${namespace}/${name}`;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        await this.api.create(PIPELINE_RUNS, namespace, run);
        return 'created';
      } catch (err) {
        const failure = apiFailure(err);
        if (failure?.code !== 409 || failure.reason !== 'AlreadyExists') throw clusterError(err, action);
      }
      const existing = await this.getPipelineRun(namespace, name);
      if (existing) return { exists: existing };
      // Deleted between the 409 and our read: the name is free again, so create once more.
    }
    throw new ClusterUnavailableError(`${action}: the name kept being taken and freed; try again later`);
  }

  async getPipelineRun(namespace: string, name: string): Promise<RunState | undefined> {
    const body = await this.read(PIPELINE_RUNS, namespace, name, `get PipelineRun ${namespace}/${name}`);
    return body === undefined
      ? undefined
      : this.parse(() => toRunState(body, namespace), `PipelineRun ${namespace}/${name}`);
  }

  async listPipelineRuns(namespace: string, limit: number, cursor?: string): Promise<Page<RunState>> {
    const action = `list PipelineRuns in ${namespace}`;
    let body: unknown;
    try {
      body = await this.api.list(PIPELINE_RUNS, namespace, {
        labelSelector: Label.WorkflowExecution,
        limit,
        continue: cursor || undefined,
      });
    } catch (err) {
      throw clusterError(err, action);
    }
    const list = body as { items?: unknown[]; metadata?: { continue?: string } };
    return {
      items: (list.items ?? []).map((item) => this.parse(() => toRunState(item, namespace), action)),
      cursor: list.metadata?.continue || undefined,
    };
  }

  async deletePipelineRun(
    namespace: string,
    name: string,
    owner: ExecutionId,
  ): Promise<'deleted' | 'absent' | 'not-owner'> {
    const action = `delete PipelineRun ${namespace}/${name}`;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const run = await this.getPipelineRun(namespace, name);
      if (!run) return 'absent';
      if (!isOwnedBy(run.labels, owner)) return 'not-owner';
      try {
        // The uid precondition makes the delete apply only to the run whose labels were just checked.
        await this.api.delete(PIPELINE_RUNS, namespace, name, {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: 'Background',
          preconditions: { uid: run.uid },
        });
        return 'deleted';
      } catch (err) {
        if (isObjectNotFound(err)) return 'absent';
        // 409: the name now holds another object (precondition failed): read and decide again.
        if (apiFailure(err)?.code !== 409) throw clusterError(err, action);
      }
    }
    throw new ClusterUnavailableError(`${action}: the run kept being replaced; try again later`);
  }

  async getTaskRun(namespace: string, name: string): Promise<TaskRunState | undefined> {
    const body = await this.read(TASK_RUNS, namespace, name, `get TaskRun ${namespace}/${name}`);
    return body === undefined
      ? undefined
      : this.parse(() => toTaskRunState(body), `TaskRun ${namespace}/${name}`);
  }

  /** A core v1 Event from `workflowexecution-controller`, as client-go's recorder writes it. */
  async recordEvent(event: ClusterEvent): Promise<void> {
    const action = `record event ${event.reason} on ${event.involvedObject.kind} ${event.involvedObject.namespace}/${event.involvedObject.name}`;
    for (let attempt = 1; ; attempt++) {
      const now = this.clock.now();
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: eventName(event.involvedObject.name, now), namespace: event.namespace },
        involvedObject: { ...event.involvedObject },
        reason: event.reason,
        message: event.message,
        type: event.type,
        source: { component: EVENT_SOURCE },
        firstTimestamp: metaTime(now),
        lastTimestamp: metaTime(now),
        count: 1,
        reportingComponent: EVENT_SOURCE,
        reportingInstance: '',
      };
      try {
        await this.api.create(EVENTS, event.namespace, body);
        return;
      } catch (err) {
        // Two events for one object in the same instant would share a name: take the next one.
        const collided = apiFailure(err)?.reason === 'AlreadyExists';
        if (!collided || attempt >= 3) throw clusterError(err, action);
      }
    }
  }

  private async read(
    resource: typeof PIPELINE_RUNS | typeof TASK_RUNS,
    namespace: string,
    name: string,
    action: string,
  ): Promise<unknown> {
    try {
      return await this.api.get(resource, namespace, name);
    } catch (err) {
      if (isObjectNotFound(err)) return undefined;
      throw clusterError(err, action);
    }
  }

  private parse<T>(read: () => T, what: string): T {
    try {
      return read();
    } catch (err) {
      throw clusterError(err, `read ${what}`);
    }
  }
}

/** The Cluster for the configured access (KUBECONFIG file, kubeconfig secret, or EKS with an IAM token). */
export async function connectCluster(access: ClusterAccess, options: ConnectOptions = {}): Promise<Cluster> {
  return new KubernetesCluster(await connectionFor(access, options.sources), options);
}
