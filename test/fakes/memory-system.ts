/**
 * The whole core against memory: one store, cluster, request queue, clock, metrics and log shared by
 * execute, reconcile and forceRelease, as in the deployed system where they share one table and one
 * cluster. Core tests build it instead of wiring the ports themselves.
 */
import { type ExecuteDeps, type ExecuteSettings, execute } from '../../functions/core/execute.js';
import {
  type ForceReleaseDeps,
  type ForceReleaseRequest,
  forceRelease,
} from '../../functions/core/force-release.js';
import type { Clusters } from '../../functions/core/ports.js';
import { type ReconcileBudget, type ReconcileDeps, reconcile } from '../../functions/core/reconcile.js';
import { fixedClock } from './clock.js';
import { MemoryCluster } from './memory-cluster.js';
import { MemoryStore } from './memory-store.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from './recorders.js';

export const NAMESPACE = 'kubernaut-workflows';
export const CLUSTER = 'default';

/** The settings of a deployment serving one cluster (WE-16). */
export const oneCluster = (name = CLUSTER, namespace = NAMESPACE) => ({
  clusters: [{ name, namespace }],
  defaultCluster: name,
});

export interface MemorySystemOptions {
  settings?: Partial<ExecuteSettings>;
  budget?: Partial<ReconcileBudget>;
  /** When the clock starts. */
  start?: string;
  /** The clusters by name; every name is the one memory cluster otherwise. */
  clusters?: Clusters;
}

export function memorySystem(options: MemorySystemOptions = {}) {
  const store = new MemoryStore();
  const cluster = new MemoryCluster();
  const queue = new RecordingQueue();
  const metrics = new RecordingMetrics();
  const log = new RecordingLog();
  const clock = fixedClock(options.start ?? '2026-03-01T10:00:00Z');
  const settings: ExecuteSettings = {
    clusters: [{ name: CLUSTER, namespace: NAMESPACE }],
    defaultCluster: CLUSTER,
    serviceAccountName: 'kubernaut-workflow-runner',
    cooldownMs: 10_000,
    leaseMs: 15 * 60_000,
    ...options.settings,
  };
  const clusters = options.clusters ?? (() => cluster);
  const ports = { store, clusters, clock, metrics, log };
  const executeDeps: ExecuteDeps = { ...ports, queue, settings };
  const reconcileDeps: ReconcileDeps = {
    ...ports,
    settings,
    budget: { pageSize: 25, maxItems: 1000, timeLeftMs: () => 60_000, ...options.budget },
  };
  const releaseDeps: ForceReleaseDeps = { store, clusters, clock, settings };
  return {
    store,
    cluster,
    queue,
    metrics,
    log,
    clock,
    settings,
    executeDeps,
    reconcileDeps,
    releaseDeps,
    execute: (body: string) => execute(body, executeDeps),
    reconcile: () => reconcile(reconcileDeps),
    forceRelease: (request: ForceReleaseRequest) => forceRelease(request, releaseDeps),
  };
}

export type MemorySystem = ReturnType<typeof memorySystem>;
