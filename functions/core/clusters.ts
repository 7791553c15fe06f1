/**
 * The clusters one deployment serves (WE-16): each by name, with the namespace its PipelineRuns go
 * to and, optionally, how many executions may run in it at once. A request names its cluster with
 * a label, else it goes to the deployment's default cluster.
 */
import { ConfigError } from './errors.js';
import type { Cluster, Clusters, Metrics } from './ports.js';

export const CLUSTER_LABEL = 'kubernaut.ai/cluster';

/** What a cluster may be called: a DNS label, so it fits a label value and every key it is part of. */
export const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface ClusterSettings {
  name: string;
  /** Where this cluster's PipelineRuns are created. */
  namespace: string;
}

export interface FleetSettings {
  clusters: readonly ClusterSettings[];
  /** The cluster of a request without the label: one of `clusters`. */
  defaultCluster: string;
}

/** The cluster a request names by its label, else the default; it may be one the fleet does not have. */
export function requestedCluster(
  labels: Record<string, unknown> | undefined,
  fleet: Pick<FleetSettings, 'defaultCluster'>,
): string {
  const named = labels?.[CLUSTER_LABEL];
  return typeof named === 'string' && named !== '' ? named : fleet.defaultCluster;
}

export const clusterSettings = (fleet: FleetSettings, name: string): ClusterSettings | undefined =>
  fleet.clusters.find((c) => c.name === name);

export const unknownClusterMessage = (name: string, fleet: FleetSettings): string =>
  `cluster "${name}" (label ${CLUSTER_LABEL}) is not one this deployment serves: ${fleet.clusters.map((c) => c.name).join(', ')}`;

/** Where one cluster's work goes: its name, its namespace and its Kubernetes API. */
export interface Place {
  name: string;
  namespace: string;
  cluster: Cluster;
}

/**
 * The place of a cluster this deployment serves. An execution stored for a cluster no longer
 * configured cannot be followed anywhere: that is the operator's configuration to fix, so it throws
 * (the sweep counts it as an item failure and goes on).
 */
export function placeOf(name: string, deps: { clusters: Clusters; settings: FleetSettings }): Place {
  const found = clusterSettings(deps.settings, name);
  if (!found) throw new ConfigError(unknownClusterMessage(name, deps.settings));
  return { name, namespace: found.namespace, cluster: deps.clusters(name) };
}

/** The metrics of one cluster's work: every figure carries the dimension `cluster` (WE-16). */
export const clusterMetrics = (metrics: Metrics, cluster: string): Metrics => ({
  add: (name, unit, value, dimensions) => metrics.add(name, unit, value, { ...dimensions, cluster }),
});
