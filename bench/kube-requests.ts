/** What a handler asked of the Kubernetes API, from the built-in server's request log. */
import type { KubeApi } from '../local/kube-api/index.js';

/** "GET pipelineruns", "POST events", … for each request after the `from`th. */
export function kubeRequestsSince(
  kube: KubeApi,
  from: number,
): { total: number; byKind: Record<string, number> } {
  const byKind: Record<string, number> = {};
  const records = kube.requests.list().slice(from);
  for (const r of records) {
    const parts = r.path.split('/');
    const ns = parts.indexOf('namespaces');
    const resource = ns >= 0 ? (parts[ns + 2] ?? 'namespaces') : (parts[parts.length - 1] ?? r.path);
    const kind = `${r.method} ${resource}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { total: records.length, byKind };
}

export const kubeMark = (kube: KubeApi) => kube.requests.list().length;
