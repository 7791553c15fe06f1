/**
 * Failures of Kubernetes API calls, translated at the boundary into the core's two errors. The
 * adapter's client (api-client.ts) throws ApiError for an HTTP answer other than 2xx (its body the
 * raw response text, a metav1.Status when the apiserver answered), RequestTimeoutError when a
 * request's deadline passed, and the socket's own error for network faults.
 */
import * as z from 'zod/mini';
import { ClusterRejectedError, ClusterUnavailableError } from '../../core/errors.js';

const statusBody = z.object({
  message: z.optional(z.string()),
  reason: z.optional(z.string()),
  details: z.optional(
    z.object({
      name: z.optional(z.string()),
      group: z.optional(z.string()),
      kind: z.optional(z.string()),
    }),
  ),
});

/** The API server answered with a status other than 2xx. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    /** The response body as sent: a metav1.Status in JSON from an apiserver, anything from a proxy. */
    readonly body: string,
    /** The Retry-After header, in seconds, when there was one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`HTTP ${code}`);
    this.name = 'ApiError';
  }
}

/** No complete answer within the request's deadline. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** An HTTP answer other than 2xx, with its metav1.Status when there was one. */
export interface ApiFailure {
  code: number;
  reason: string;
  message: string;
  details?: z.output<typeof statusBody>['details'];
  retryAfterSeconds?: number;
}

/** The HTTP failure behind an error, or undefined when the request never got an answer. */
export function apiFailure(err: unknown): ApiFailure | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const { code, body: text } = err;
  let parsed: z.output<typeof statusBody> | undefined;
  if (text) {
    try {
      const result = statusBody.safeParse(JSON.parse(text));
      if (result.success) parsed = result.data;
    } catch {
      // Not JSON (a proxy's HTML page, say): the text itself is the best message there is.
    }
  }
  const fallback = code === 401 ? 'Unauthorized' : `HTTP ${code}${text ? `: ${text.slice(0, 200)}` : ''}`;
  return {
    code,
    reason: parsed?.reason ?? '',
    message: parsed?.message ?? fallback,
    ...(parsed?.details ? { details: parsed.details } : {}),
    ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
  };
}

/** Transient: the cluster may answer differently if asked again later. */
const isTransient = (f: ApiFailure) =>
  f.code === 401 ||
  f.code === 408 ||
  f.code === 429 ||
  f.code >= 500 ||
  (f.code === 409 && f.reason === 'Conflict');

/**
 * Any failure of a call as ClusterUnavailableError (retry later: 5xx, 429, 401, conflicts,
 * timeouts, network faults) or ClusterRejectedError (the request itself is refused: 400, 403,
 * 404, 422, ...). `action` says what was attempted, for the message.
 */
export function clusterError(err: unknown, action: string): Error {
  if (err instanceof ClusterUnavailableError || err instanceof ClusterRejectedError) return err;
  const failure = apiFailure(err);
  if (failure) {
    if (isTransient(failure)) {
      const wait =
        failure.retryAfterSeconds === undefined ? '' : `, retry after ${failure.retryAfterSeconds} s`;
      return new ClusterUnavailableError(
        `${action}: ${failure.message} (HTTP ${failure.code}${wait})`,
        failure.code,
        {
          cause: err,
        },
      );
    }
    return new ClusterRejectedError(failure.message, failure.code, failure.reason, { cause: err });
  }
  if (err instanceof RequestTimeoutError)
    return new ClusterUnavailableError(
      `${action}: the Kubernetes API did not answer within ${err.timeoutMs} ms`,
      undefined,
      {
        cause: err,
      },
    );
  const reason = err instanceof Error ? err.message : String(err);
  return new ClusterUnavailableError(`${action}: ${reason}`, undefined, { cause: err });
}
