/**
 * Failures of Kubernetes API calls, translated at the boundary into the core's two errors.
 * @kubernetes/client-node 1.4.0 throws ApiException for HTTP answers (its body is the raw response
 * text, a metav1.Status when the apiserver answered), node-fetch's FetchError for network faults
 * and AbortError when our per-request timeout fired.
 */
import { ApiException } from '@kubernetes/client-node';
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

/** An HTTP answer other than 2xx, with its metav1.Status when there was one. */
export interface ApiFailure {
  code: number;
  reason: string;
  message: string;
  details?: z.output<typeof statusBody>['details'];
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body === undefined || body === null) return undefined;
  return JSON.stringify(body);
}

/** The HTTP failure behind an error, or undefined when the request never got an answer. */
export function apiFailure(err: unknown): ApiFailure | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const code = Number(err.code);
  const text = bodyText(err.body);
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
  };
}

const isAbort = (err: unknown) => err instanceof Error && err.name === 'AbortError';

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
export function clusterError(err: unknown, action: string, timeoutMs: number): Error {
  if (err instanceof ClusterUnavailableError || err instanceof ClusterRejectedError) return err;
  const failure = apiFailure(err);
  if (failure) {
    if (isTransient(failure))
      return new ClusterUnavailableError(
        `${action}: ${failure.message} (HTTP ${failure.code})`,
        failure.code,
        {
          cause: err,
        },
      );
    return new ClusterRejectedError(failure.message, failure.code, failure.reason, { cause: err });
  }
  if (isAbort(err))
    return new ClusterUnavailableError(
      `${action}: the Kubernetes API did not answer within ${timeoutMs} ms`,
      undefined,
      {
        cause: err,
      },
    );
  const reason = err instanceof Error ? err.message : String(err);
  return new ClusterUnavailableError(`${action}: ${reason}`, undefined, { cause: err });
}
