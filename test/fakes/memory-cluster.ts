/**
 * The Cluster port in memory: PipelineRuns by namespace/name with the 409 and owner-check
 * semantics of the real adapter, and hooks to inject faults. Integration tests use the real
 * adapter against the local Kubernetes API instead.
 */
import type { ExecutionId } from '../../functions/core/execution-id.js';
import { isOwnedBy, Label, type PipelineRunObject } from '../../functions/core/pipeline-run.js';
import type { Cluster, ClusterEvent, Page, RunState, TaskRunState } from '../../functions/core/ports.js';

export class MemoryCluster implements Cluster {
  readonly runs = new Map<string, { object: PipelineRunObject; state: RunState }>();
  readonly taskRuns = new Map<string, TaskRunState>();
  readonly events: ClusterEvent[] = [];
  readonly calls: string[] = [];
  /** Called before each operation; throw from it to inject a fault. */
  fault?: (operation: string) => void;
  private uid = 0;

  async createPipelineRun(run: PipelineRunObject): Promise<'created' | { exists: RunState }> {
    this.before('create');
    const key = `${run.metadata.namespace}/${run.metadata.name}`;
    const existing = this.runs.get(key);
    if (existing) return { exists: structuredClone(existing.state) };
    this.runs.set(key, {
      object: structuredClone(run),
      state: {
        name: run.metadata.name,
        namespace: run.metadata.namespace,
        uid: `uid-${++this.uid}`,
        labels: { ...run.metadata.labels },
        childReferences: [],
      },
    });
    return 'created';
  }

  async getPipelineRun(namespace: string, name: string): Promise<RunState | undefined> {
    this.before('get');
    const found = this.runs.get(`${namespace}/${name}`);
    return found && structuredClone(found.state);
  }

  /** The runs carrying the system's label, by name, a page at a time (the cursor is the next offset). */
  async listPipelineRuns(namespace: string, limit: number, cursor?: string): Promise<Page<RunState>> {
    this.before('list');
    const all = [...this.runs.values()]
      .map((r) => r.state)
      .filter((r) => r.namespace === namespace && r.labels[Label.WorkflowExecution] !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    const start = cursor ? Number(cursor) : 0;
    const end = start + limit;
    return {
      items: structuredClone(all.slice(start, end)),
      cursor: end < all.length ? String(end) : undefined,
    };
  }

  async deletePipelineRun(
    namespace: string,
    name: string,
    owner: ExecutionId,
  ): Promise<'deleted' | 'absent' | 'not-owner'> {
    this.before('delete');
    const key = `${namespace}/${name}`;
    const found = this.runs.get(key);
    if (!found) return 'absent';
    if (!isOwnedBy(found.state.labels, owner)) return 'not-owner';
    this.runs.delete(key);
    return 'deleted';
  }

  async getTaskRun(namespace: string, name: string): Promise<TaskRunState | undefined> {
    this.before('getTaskRun');
    return this.taskRuns.get(`${namespace}/${name}`);
  }

  async recordEvent(event: ClusterEvent): Promise<void> {
    this.before('event');
    this.events.push(structuredClone(event));
  }

  /** Updates a run's observed state, as Tekton would. */
  update(namespace: string, name: string, change: Partial<RunState>): void {
    const found = this.runs.get(`${namespace}/${name}`);
    if (!found) throw new Error(`no run ${namespace}/${name}`);
    found.state = { ...found.state, ...change };
  }

  run(namespace: string, name: string) {
    return this.runs.get(`${namespace}/${name}`);
  }

  private before(operation: string) {
    this.calls.push(operation);
    this.fault?.(operation);
  }
}
