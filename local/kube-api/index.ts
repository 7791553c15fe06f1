/**
 * The project's own Kubernetes API server: a faithful stand-in for a cluster with Tekton installed,
 * served over HTTP on loopback for the real @kubernetes/client-node to talk to. It serves
 * tekton.dev/v1 PipelineRuns and TaskRuns, core v1 Events and Namespaces, with a Tekton simulator
 * (manual for tests, auto for `npm start`), fault injection, and a request log.
 */
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Autopilot } from './autopilot.js';
import { type CloudEventEmitter, cloudEventEmitter } from './cloud-events.js';
import { Faults } from './faults.js';
import { localKubeconfig } from './kubeconfig.js';
import { ObjectApi } from './operations.js';
import { RequestLog } from './request-log.js';
import { Namespaces } from './resources.js';
import { createKubeServer } from './server.js';
import { type Simulator, type SimulatorOptions, TektonSimulator } from './simulator.js';
import { ObjectStore, type StoreReader } from './store.js';

export type { FaultHandle, FaultSpec, FaultStatus, Faults } from './faults.js';
export type { RequestFilter, RequestLog, RequestRecord } from './request-log.js';
export type { FailOptions, Simulator, SimulatorOptions, SucceedOptions } from './simulator.js';
export type { KubeObject, StoreReader } from './store.js';

export interface KubeApiOptions {
  /** Default: a free port. */
  port?: number;
  /** Default: 127.0.0.1. */
  host?: string;
  simulator?: SimulatorOptions;
  /** The bearer token clients must send (default "wfe-local-token"). */
  token?: string;
  /** Creating in a missing namespace is a 404 when true; by default namespaces are created on first use. */
  strictNamespaces?: boolean;
  /** Namespaces that exist from the start (default: default, kube-system). */
  namespaces?: string[];
  /** How many changes a watch can resume across; older resourceVersions get 410 Expired (default 10000). */
  watchHistory?: number;
  /** The clock for timestamps the server and simulator write (default: the system clock). */
  clock?: () => Date;
}

export interface KubeApi {
  /** http://127.0.0.1:PORT */
  url: string;
  /** YAML for a KUBECONFIG file pointing at this server. */
  kubeconfig(): string;
  /** A loaded KubeConfig for this server. */
  kubeConfig(): KubeConfig;
  /** Read access to every stored object. */
  store: StoreReader;
  /** The Tekton simulator's manual controls (in auto mode they work too). */
  simulator: Simulator;
  /** Tekton's CloudEvents for every PipelineRun change, once a sink is set (Tekton's config-events `sink`). */
  cloudEvents: CloudEventEmitter;
  faults: Faults;
  requests: RequestLog;
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = 'wfe-local-token';

export async function startKubeApi(options: KubeApiOptions = {}): Promise<KubeApi> {
  const clock = options.clock ?? (() => new Date());
  const token = options.token ?? DEFAULT_TOKEN;
  const store = new ObjectStore(options.watchHistory);
  const api = new ObjectApi(store, { clock, strictNamespaces: options.strictNamespaces ?? false });
  for (const namespace of options.namespaces ?? ['default', 'kube-system'])
    api.create(Namespaces, undefined, { metadata: { name: namespace } });

  const simulator = new TektonSimulator(api, clock, options.simulator);
  const autopilot =
    options.simulator?.mode === 'auto'
      ? new Autopilot(simulator, {
          runDurationMs: options.simulator.runDurationMs ?? 3000,
          startDelayMs: options.simulator.startDelayMs ?? 100,
        })
      : undefined;
  const cloudEvents = cloudEventEmitter();
  const unsubscribe = store.subscribe((change) => {
    simulator.observe(change);
    autopilot?.observe(change);
    cloudEvents.observe(change);
  });

  const faults = new Faults();
  const requests = new RequestLog();
  const { server, shutdown } = createKubeServer({ api, store, faults, requests, token });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    kubeconfig: () => localKubeconfig(url, token),
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromString(localKubeconfig(url, token));
      return kc;
    },
    store,
    simulator,
    cloudEvents,
    faults,
    requests,
    close() {
      closed ??= new Promise<void>((resolve) => {
        unsubscribe();
        autopilot?.stop();
        cloudEvents.setSink(undefined);
        server.close(() => resolve());
        shutdown();
      });
      return closed;
    },
  };
}
