/** A kubeconfig for the local API server: plain HTTP on loopback, so TLS verification is skipped. */
import { stringify } from 'yaml';

export const LOCAL_CONTEXT = 'wfe-local';

export function localKubeconfig(server: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: LOCAL_CONTEXT, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: LOCAL_CONTEXT, user: { token } }],
    contexts: [{ name: LOCAL_CONTEXT, context: { cluster: LOCAL_CONTEXT, user: LOCAL_CONTEXT, namespace } }],
    'current-context': LOCAL_CONTEXT,
    preferences: {},
  });
}
