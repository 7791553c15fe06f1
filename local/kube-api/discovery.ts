/**
 * The discovery documents (/version, /api, /apis, resource lists) and health endpoints, enough for
 * kubectl-style clients to find the served resources.
 */
import type { JsonObject } from './patch.js';
import { RESOURCES, type ResourceType } from './resources.js';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string, types: readonly ResourceType[]): JsonObject {
  const resources: JsonObject[] = [];
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.kind.toLowerCase(),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    });
    if (t.statusSubresource)
      resources.push({
        name: `${t.plural}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

/** The document for a discovery path, or undefined when the path is not one. */
export function discoveryDocument(path: string): JsonObject | string | undefined {
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return 'ok';
  if (path === '/version')
    return {
      major: '1',
      minor: '34',
      gitVersion: 'v1.34.0-wfe-local',
      gitCommit: '',
      gitTreeState: 'clean',
      buildDate: '2025-01-01T00:00:00Z',
      goVersion: 'go1.24',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))];
  const groupDoc = (name: string): JsonObject => {
    const versions = [...new Set(RESOURCES.filter((r) => r.group === name).map((r) => r.version))].map(
      (v) => ({
        groupVersion: `${name}/${v}`,
        version: v,
      }),
    );
    return { name, versions, preferredVersion: versions[0] ?? null };
  };
  if (path === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) };
  const match = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (match && groups.includes(match[1] as string)) {
    const [, group = '', version] = match;
    if (!version) return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) };
    const types = RESOURCES.filter((r) => r.group === group && r.version === version);
    return types.length ? resourceList(`${group}/${version}`, types) : undefined;
  }
  if (path === '/api/v1')
    return resourceList(
      'v1',
      RESOURCES.filter((r) => r.group === ''),
    );
  return undefined;
}
