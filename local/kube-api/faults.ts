/**
 * Fault injection: make chosen requests fail the way a sick apiserver or its load balancer does
 * (401, 403, 429 with Retry-After, 500, 503), answer slowly, or drop the connection unanswered.
 * Faults match on method and path, apply in the order they were injected, and last until cleared
 * or until they have been used `times` times.
 */
import type { Target } from './api-path.js';
import { failure, type Status } from './status.js';

export type FaultStatus = 401 | 403 | 429 | 500 | 503;

export interface FaultSpec {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** A string matches when the request path (without query) starts with it; a RegExp is tested against path and query. */
  path?: RegExp | string;
  status?: FaultStatus;
  /** Sent as Retry-After (and details.retryAfterSeconds) with 429 and 503; 429 defaults to 1. */
  retryAfterSeconds?: number;
  /** Wait this long before answering (with the fault's status, or normally when it has none). */
  delayMs?: number;
  /** Destroy the connection without answering (after delayMs, if set). */
  drop?: boolean;
  /** How many requests the fault applies to; until cleared when omitted. */
  times?: number;
  /** Overrides the Status message. */
  message?: string;
}

export interface FaultHandle {
  /** Removes this fault. */
  clear(): void;
  /** How many requests it has applied to so far. */
  readonly hits: number;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  hits: number;
}

export interface RequestInfo {
  method: string;
  pathname: string;
  search: string;
  target: Target;
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function verbOf(info: RequestInfo): string {
  if (info.method === 'GET') {
    if (info.target.kind === 'collection') return info.target.watch ? 'watch' : 'list';
    return 'get';
  }
  return VERBS[info.method] ?? info.method.toLowerCase();
}

/** The Status a real apiserver sends for each fault status. */
export function faultStatus(spec: FaultSpec, info: RequestInfo): Status {
  const retryAfter = spec.retryAfterSeconds;
  switch (spec.status) {
    case 401:
      return failure(401, 'Unauthorized', spec.message ?? 'Unauthorized');
    case 403: {
      const target = info.target;
      if (target.kind !== 'collection' && target.kind !== 'object')
        return failure(
          403,
          'Forbidden',
          spec.message ?? `forbidden: User "wfe" cannot ${verbOf(info)} path "${info.pathname}"`,
          {},
        );
      const { type } = target;
      const where = target.namespace ? ` in the namespace "${target.namespace}"` : '';
      const resource =
        target.kind === 'object' && target.subresource ? `${type.plural}/${target.subresource}` : type.plural;
      const name = target.kind === 'object' ? target.name : undefined;
      return failure(
        403,
        'Forbidden',
        spec.message ??
          `${type.groupResource}${name ? ` "${name}"` : ''} is forbidden: User "wfe" cannot ${verbOf(info)} resource "${resource}" in API group "${type.group}"${where}`,
        { ...(name ? { name } : {}), group: type.group, kind: type.plural },
      );
    }
    case 429:
      return failure(429, 'TooManyRequests', spec.message ?? 'Too many requests, please try again later.', {
        retryAfterSeconds: retryAfter ?? 1,
      });
    case 503:
      return failure(
        503,
        'ServiceUnavailable',
        spec.message ?? 'the server is currently unable to handle the request',
        retryAfter ? { retryAfterSeconds: retryAfter } : {},
      );
    default:
      return failure(500, 'InternalError', `Internal error occurred: ${spec.message ?? 'injected fault'}`, {
        causes: [{ message: spec.message ?? 'injected fault' }],
      });
  }
}

export function faultHeaders(spec: FaultSpec): Record<string, string> {
  if (spec.status === 429) return { 'Retry-After': String(spec.retryAfterSeconds ?? 1) };
  if (spec.status === 503 && spec.retryAfterSeconds) return { 'Retry-After': String(spec.retryAfterSeconds) };
  return {};
}

function matches(spec: FaultSpec, info: RequestInfo): boolean {
  if (spec.method && spec.method.toUpperCase() !== info.method) return false;
  if (spec.path === undefined) return true;
  if (typeof spec.path === 'string') return info.pathname.startsWith(spec.path);
  spec.path.lastIndex = 0;
  return spec.path.test(info.pathname + info.search);
}

export class Faults {
  private active: ActiveFault[] = [];

  inject(spec: FaultSpec): FaultHandle {
    if (spec.status === undefined && !spec.drop && !spec.delayMs)
      throw new Error('a fault needs a status, drop: true, or delayMs');
    const fault: ActiveFault = { spec, remaining: spec.times ?? Number.POSITIVE_INFINITY, hits: 0 };
    this.active.push(fault);
    return {
      clear: () => {
        this.active = this.active.filter((f) => f !== fault);
      },
      get hits() {
        return fault.hits;
      },
    };
  }

  /** Removes every fault. */
  clear(): void {
    this.active = [];
  }

  /** The first fault matching the request, counting this use of it. */
  take(info: RequestInfo): FaultSpec | undefined {
    const fault = this.active.find((f) => matches(f.spec, info));
    if (!fault) return undefined;
    fault.hits += 1;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.active = this.active.filter((f) => f !== fault);
    return fault.spec;
  }
}
