/**
 * PipelineRuns and TaskRuns as read back from the cluster, parsed with zod and reduced to what
 * the core decides on (RunState, TaskRunState). Unknown fields are ignored; a body that lacks
 * what every PipelineRun has (name, uid) is an error, never a half-read run.
 */
import * as z from 'zod/mini';
import type { RunState, TaskRunState } from '../../core/ports.js';

const condition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.optional(z.string()),
  message: z.optional(z.string()),
});

const metadata = z.object({
  name: z.string(),
  namespace: z.optional(z.string()),
  uid: z.string(),
  labels: z.optional(z.record(z.string(), z.string())),
});

const pipelineRun = z.object({
  metadata,
  status: z.optional(
    z.object({
      startTime: z.optional(z.string()),
      completionTime: z.optional(z.string()),
      conditions: z.optional(z.array(condition)),
      childReferences: z.optional(
        z.array(z.object({ kind: z.string(), name: z.string(), pipelineTaskName: z.optional(z.string()) })),
      ),
    }),
  ),
});

const taskRun = z.object({
  metadata,
  status: z.optional(
    z.object({
      conditions: z.optional(z.array(condition)),
      steps: z.optional(z.array(z.object({ terminated: z.optional(z.object({ exitCode: z.int() })) }))),
    }),
  ),
});

/** The body did not have the shape of the object asked for. */
export class UnexpectedObjectError extends Error {
  constructor(what: string, options: ErrorOptions) {
    super(`the cluster returned an unexpected ${what}`, options);
    this.name = 'UnexpectedObjectError';
  }
}

function parse<T extends z.ZodMiniType>(schema: T, body: unknown, what: string): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw new UnexpectedObjectError(what, { cause: result.error });
  return result.data;
}

type Condition = z.output<typeof condition>;

/** The Succeeded condition; a status other than True/False counts as Unknown (still going). */
function succeeded(conditions: Condition[] | undefined): RunState['succeeded'] {
  const found = conditions?.find((c) => c.type === 'Succeeded');
  if (!found) return undefined;
  const status = found.status === 'True' || found.status === 'False' ? found.status : 'Unknown';
  return { status, reason: found.reason ?? '', message: found.message ?? '' };
}

export function toRunState(body: unknown, namespace: string): RunState {
  const run = parse(pipelineRun, body, 'PipelineRun');
  const state: RunState = {
    name: run.metadata.name,
    namespace: run.metadata.namespace ?? namespace,
    uid: run.metadata.uid,
    labels: run.metadata.labels ?? {},
    childReferences: (run.status?.childReferences ?? []).map((c) => ({
      kind: c.kind,
      name: c.name,
      ...(c.pipelineTaskName ? { pipelineTaskName: c.pipelineTaskName } : {}),
    })),
  };
  const status = succeeded(run.status?.conditions);
  if (status) state.succeeded = status;
  if (run.status?.startTime) state.startTime = run.status.startTime;
  if (run.status?.completionTime) state.completionTime = run.status.completionTime;
  return state;
}

export function toTaskRunState(body: unknown): TaskRunState {
  const run = parse(taskRun, body, 'TaskRun');
  const state: TaskRunState = { name: run.metadata.name };
  const status = succeeded(run.status?.conditions);
  if (status) state.succeeded = status;
  const exitCode = run.status?.steps
    ?.map((s) => s.terminated?.exitCode)
    .find((code) => code !== undefined && code !== 0);
  if (exitCode !== undefined) state.exitCode = exitCode;
  return state;
}
