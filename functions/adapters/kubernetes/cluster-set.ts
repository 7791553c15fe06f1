/**
 * The Kubernetes API of each cluster a deployment serves (WE-16), by name. Each is connected on its
 * first use and kept for the container's life, so a cold start reaches only the clusters its
 * messages name, and a cluster that cannot be reached fails only the calls made to it: the others'
 * messages go on. A connection that fails is not kept; the next call tries again.
 */
import { ConfigError } from '../../core/errors.js';
import type { Cluster, Clusters } from '../../core/ports.js';
import { type ConnectOptions, connectCluster } from './cluster.js';
import type { ClusterAccess } from './credentials.js';

export type Connect = (access: ClusterAccess, options?: ConnectOptions) => Promise<Cluster>;

/** A Cluster that connects on its first call. */
function lazyCluster(connect: () => Promise<Cluster>): Cluster {
  let connected: Promise<Cluster> | undefined;
  const cluster = () => {
    connected ??= connect().catch((err: unknown) => {
      connected = undefined;
      throw err;
    });
    return connected;
  };
  return {
    createPipelineRun: async (run) => (await cluster()).createPipelineRun(run),
    getPipelineRun: async (namespace, name) => (await cluster()).getPipelineRun(namespace, name),
    listPipelineRuns: async (namespace, limit, cursor) =>
      (await cluster()).listPipelineRuns(namespace, limit, cursor),
    deletePipelineRun: async (namespace, name, owner) =>
      (await cluster()).deletePipelineRun(namespace, name, owner),
    getTaskRun: async (namespace, name) => (await cluster()).getTaskRun(namespace, name),
    recordEvent: async (event) => (await cluster()).recordEvent(event),
  };
}

export function clusterSet(
  clusters: readonly { name: string; access: ClusterAccess }[],
  options: ConnectOptions = {},
  connect: Connect = connectCluster,
): Clusters {
  const byName = new Map(
    clusters.map(({ name, access }) => [name, lazyCluster(() => connect(access, options))]),
  );
  return (name) => {
    const found = byName.get(name);
    if (!found) throw new ConfigError(`cluster "${name}" is not configured (CLUSTERS)`);
    return found;
  };
}
