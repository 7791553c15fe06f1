/**
 * metav1.Status bodies exactly as the apiserver writes them (apimachinery api/errors/errors.go).
 * Field order follows the Go struct (kind, apiVersion, metadata, status, message, reason, details,
 * code) and empty fields are left out, as Go's omitempty does, so clients that compare raw bodies
 * see what a real cluster sends.
 */
import type { ResourceType } from './resources.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failed request, carried as the Status the server answers with. */
export class StatusError extends Error {
  constructor(
    readonly status: Status,
    readonly headers: Record<string, string> = {},
  ) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'StatusError';
  }
}

function orderedDetails(details: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (details.name) out.name = details.name;
  if (details.group) out.group = details.group;
  if (details.kind) out.kind = details.kind;
  if (details.uid) out.uid = details.uid;
  if (details.causes?.length) out.causes = details.causes;
  if (details.retryAfterSeconds) out.retryAfterSeconds = details.retryAfterSeconds;
  return out;
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    ...(message ? { message } : {}),
    ...(reason ? { reason } : {}),
    ...(details ? { details: orderedDetails(details) } : {}),
    code,
  };
}

export function success(details: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: orderedDetails(details),
    code: 200,
  };
}

const reject = (status: Status, headers?: Record<string, string>) => new StatusError(status, headers);

/** Details for NotFound, AlreadyExists and Conflict name the plural resource, not the Kind. */
const resourceDetails = (type: ResourceType, name: string): StatusDetails => ({
  name,
  group: type.group,
  kind: type.plural,
});

export const notFound = (type: ResourceType, name: string) =>
  reject(failure(404, 'NotFound', `${type.groupResource} "${name}" not found`, resourceDetails(type, name)));

export const alreadyExists = (type: ResourceType, name: string, generated = false) =>
  reject(
    failure(
      409,
      'AlreadyExists',
      `${type.groupResource} "${name}" already exists${generated ? ', the server was not able to generate a unique name for the object' : ''}`,
      resourceDetails(type, name),
    ),
  );

export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export const conflict = (type: ResourceType, name: string, why: string = OPTIMISTIC_LOCK_MESSAGE) =>
  reject(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${type.groupResource} "${name}": ${why}`,
      resourceDetails(type, name),
    ),
  );

export interface FieldProblem {
  field: string;
  /** FieldValueInvalid, FieldValueRequired, ... */
  reason: string;
  /** The message as ErrorList prints it after the field, e.g. `Invalid value: "x": must be ...`. */
  detail: string;
}

/** 422 Invalid: one message listing every field problem, details carrying the Kind and the causes. */
export const invalid = (type: ResourceType, name: string, problems: FieldProblem[]) => {
  const rendered = problems.map((p) => `${p.field}: ${p.detail}`);
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  return reject(
    failure(422, 'Invalid', `${type.groupKind} "${name}" is invalid: ${summary}`, {
      name,
      group: type.group,
      kind: type.kind,
      causes: problems.map((p) => ({ reason: p.reason, message: p.detail, field: p.field })),
    }),
  );
};

export const badRequest = (message: string) => reject(failure(400, 'BadRequest', message));

export const UNKNOWN_RESOURCE_MESSAGE = 'the server could not find the requested resource';

/** What the apiserver answers for a group, version or resource it does not serve. */
export const unknownResource = () => reject(failure(404, 'NotFound', UNKNOWN_RESOURCE_MESSAGE, {}));

export const methodNotAllowed = () =>
  reject(
    failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  );

export const unsupportedPatch = () =>
  reject(
    failure(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    ),
  );

export const internalError = (message: string) =>
  reject(failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }));
