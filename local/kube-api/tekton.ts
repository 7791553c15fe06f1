/**
 * Tekton's admission webhooks for PipelineRuns and TaskRuns, as the apiserver runs them: the
 * defaulting webhook (timeouts and service account), then the validating webhook (name rules,
 * spec.status values, spec immutability). Denials are 400 BadRequest in the apiserver's
 * "admission webhook ... denied the request" wording, never 422.
 */
import { formatGoDuration, parseGoDuration } from '../go-duration.js';
import { isJsonObject, type JsonObject, type JsonValue, jsonEqual } from './patch.js';
import { badRequest } from './status.js';

const DEFAULT_TIMEOUT = formatGoDuration(60 * 60_000);
const DEFAULT_SERVICE_ACCOUNT = 'default';
const MAX_NAME_LENGTH = 63;
const DEFAULTING_WEBHOOK = 'webhook.pipeline.tekton.dev';
const VALIDATING_WEBHOOK = 'validation.webhook.pipeline.tekton.dev';
const SPEC_STATUSES = ['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally', 'PipelineRunPending'];

export interface Admission {
  /** The mutating webhook: fills in defaults; throws a 400 when the object cannot be decoded. */
  mutate(object: JsonObject): void;
  /** The validating webhook: throws a 400 denial. `old` is set on updates. */
  validate(object: JsonObject, old: JsonObject | undefined): void;
}

const objectAt = (parent: JsonObject, key: string): JsonObject => {
  const existing = parent[key];
  if (isJsonObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
};

const denied = (webhook: string, stage: 'validation' | 'mutation', message: string) =>
  badRequest(`admission webhook "${webhook}" denied the request: ${stage} failed: ${message}`);

/** A run is done once its Succeeded condition is True or False. */
export function isDone(object: JsonObject | undefined): boolean {
  const status = object?.status;
  if (!isJsonObject(status) || !Array.isArray(status.conditions)) return false;
  return status.conditions.some(
    (c) => isJsonObject(c) && c.type === 'Succeeded' && (c.status === 'True' || c.status === 'False'),
  );
}

/** metav1.Duration fields are re-rendered by Go on the way through the webhook: "90m" becomes "1h30m0s". */
function normaliseDuration(holder: JsonObject, key: string): void {
  const value = holder[key];
  if (value === undefined) return;
  const ms = typeof value === 'string' ? parseGoDuration(value) : undefined;
  if (ms === undefined)
    throw denied(
      DEFAULTING_WEBHOOK,
      'mutation',
      `cannot decode incoming new object: time: invalid duration ${JSON.stringify(String(value))}`,
    );
  holder[key] = formatGoDuration(ms);
}

function nameProblems(object: JsonObject): string[] {
  const name = isJsonObject(object.metadata) ? String(object.metadata.name ?? '') : '';
  if (name.includes('.'))
    return ['Invalid resource name: special character . must not be present: metadata.name'];
  if (name.length > MAX_NAME_LENGTH)
    return [
      `Invalid resource name: length must be no more than ${MAX_NAME_LENGTH} characters: metadata.name`,
    ];
  return [];
}

/** knative's FieldError.Error(): every problem on its own line, sorted. */
function reject(problems: string[]): void {
  if (problems.length > 0) throw denied(VALIDATING_WEBHOOK, 'validation', [...problems].sort().join('\n'));
}

/**
 * The spec may change only in its status fields while the run is going (spec.status, and for
 * TaskRuns spec.statusMessage), and not at all once it is done (PipelineRunSpec.ValidateUpdate).
 */
function immutabilityProblems(
  kind: 'PipelineRun' | 'TaskRun',
  spec: JsonObject,
  old: JsonObject | undefined,
): string[] {
  if (!old) return [];
  const oldSpec = isJsonObject(old.spec) ? old.spec : {};
  const done = isDone(old);
  const comparable: JsonObject = done ? oldSpec : { ...oldSpec, status: spec.status as JsonValue };
  if (!done && kind === 'TaskRun') comparable.statusMessage = spec.statusMessage as JsonValue;
  if (jsonEqual(comparable, spec)) return [];
  const tip = done
    ? `Once the ${kind} is complete, no updates are allowed`
    : kind === 'TaskRun'
      ? 'Once the TaskRun has started, only status and statusMessage updates are allowed'
      : 'Once the PipelineRun has started, only status updates are allowed';
  return [`invalid value: ${tip}: spec`];
}

const hasStarted = (object: JsonObject) => isJsonObject(object.status) && Boolean(object.status.startTime);

export const pipelineRunAdmission: Admission = {
  mutate(object) {
    const spec = objectAt(object, 'spec');
    const timeouts = objectAt(spec, 'timeouts');
    for (const key of ['pipeline', 'tasks', 'finally']) normaliseDuration(timeouts, key);
    timeouts.pipeline ??= DEFAULT_TIMEOUT;
    const template = objectAt(spec, 'taskRunTemplate');
    if (!template.serviceAccountName) template.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
  },
  validate(object, old) {
    const spec = isJsonObject(object.spec) ? object.spec : {};
    const problems = [...nameProblems(object), ...immutabilityProblems('PipelineRun', spec, old)];
    const hasRef = spec.pipelineRef !== undefined && spec.pipelineRef !== null;
    const hasSpec = spec.pipelineSpec !== undefined && spec.pipelineSpec !== null;
    if (hasRef === hasSpec)
      problems.push(
        `expected exactly one, got ${hasRef ? 'both' : 'neither'}: spec.pipelineRef, spec.pipelineSpec`,
      );
    const specStatus = spec.status;
    if (specStatus !== undefined && specStatus !== '' && !SPEC_STATUSES.includes(String(specStatus)))
      problems.push(
        `invalid value: ${String(specStatus)} should be Cancelled, CancelledRunFinally, StoppedRunFinally or PipelineRunPending: spec.status`,
      );
    if (specStatus === 'PipelineRunPending' && hasStarted(object))
      problems.push('invalid value: PipelineRun cannot be Pending after it is started: spec.status');
    const timeouts = isJsonObject(spec.timeouts) ? spec.timeouts : {};
    for (const key of ['pipeline', 'tasks', 'finally']) {
      const ms = typeof timeouts[key] === 'string' ? parseGoDuration(timeouts[key]) : undefined;
      if (ms !== undefined && ms < 0)
        problems.push(`invalid value: ${timeouts[key]} should be >= 0: spec.timeouts.${key}`);
    }
    reject(problems);
  },
};

export const taskRunAdmission: Admission = {
  mutate(object) {
    const spec = objectAt(object, 'spec');
    normaliseDuration(spec, 'timeout');
    spec.timeout ??= DEFAULT_TIMEOUT;
    if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
  },
  validate(object, old) {
    const spec = isJsonObject(object.spec) ? object.spec : {};
    reject([...nameProblems(object), ...immutabilityProblems('TaskRun', spec, old)]);
  },
};
