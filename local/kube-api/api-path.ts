/**
 * Request paths to what they address, as the apiserver's RequestInfoFactory splits them:
 * /api/v1/... for the core group and /apis/<group>/<version>/... for the rest, namespaced or not,
 * with an optional subresource. The legacy /watch/ prefix is accepted too.
 */
import { findResource, Namespaces, type ResourceType } from './resources.js';

export type Target =
  | { kind: 'discovery'; path: string }
  | { kind: 'collection'; type: ResourceType; namespace?: string; watch: boolean }
  | {
      kind: 'object';
      type: ResourceType;
      namespace?: string;
      name: string;
      subresource?: 'status';
      watch: boolean;
    }
  | { kind: 'unknown' };

const DISCOVERY = new Set(['/api', '/apis', '/version', '/healthz', '/livez', '/readyz']);

export function resolvePath(pathname: string): Target {
  const trimmed = pathname.replace(/\/+$/, '') || '/';
  if (DISCOVERY.has(trimmed)) return { kind: 'discovery', path: trimmed };
  let segments: string[];
  try {
    segments = trimmed.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { kind: 'unknown' };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1] as string;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1] as string;
    version = segments[2] as string;
    rest = segments.slice(3);
  } else if (segments[0] === 'apis' && segments.length === 2) {
    return { kind: 'discovery', path: trimmed };
  } else return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'discovery', path: trimmed };

  const watch = rest[0] === 'watch';
  if (watch) rest = rest.slice(1);

  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = findResource(group, version, rest[2] as string);
    if (type?.namespaced) return objectOrCollection(type, rest[1] as string, rest.slice(3), watch);
    // /api/v1/namespaces/<name>/status addresses the namespace's own subresource.
    if (group === '' && rest.length === 3 && rest[2] === 'status')
      return objectOrCollection(Namespaces, undefined, [rest[1] as string, 'status'], watch);
    return { kind: 'unknown' };
  }
  const type = findResource(group, version, rest[0] as string);
  if (!type) return { kind: 'unknown' };
  if (type.namespaced) return rest.length === 1 ? { kind: 'collection', type, watch } : { kind: 'unknown' };
  return objectOrCollection(type, undefined, rest.slice(1), watch);
}

function objectOrCollection(
  type: ResourceType,
  namespace: string | undefined,
  rest: string[],
  watch: boolean,
): Target {
  const scope = namespace === undefined ? {} : { namespace };
  if (rest.length === 0) return { kind: 'collection', type, watch, ...scope };
  const name = rest[0] as string;
  if (rest.length === 1) return { kind: 'object', type, name, watch, ...scope };
  if (rest.length === 2 && rest[1] === 'status' && type.statusSubresource && !watch)
    return { kind: 'object', type, name, subresource: 'status', watch, ...scope };
  return { kind: 'unknown' };
}
