/**
 * The built-in Kubernetes API (manual Tekton simulator) reached through the production cluster
 * adapter, as the handler tests wire it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCluster } from '../functions/adapters/kubernetes/cluster.js';
import type { Clock, Cluster } from '../functions/core/ports.js';
import { type KubeApi, startKubeApi } from '../local/kube-api/index.js';

export interface BenchCluster {
  kube: KubeApi;
  cluster: Cluster;
  kubeconfigPath: string;
  close(): Promise<void>;
}

export async function benchCluster(clock?: Clock): Promise<BenchCluster> {
  const kube = await startKubeApi(clock ? { clock: () => clock.now() } : {});
  const dir = await mkdtemp(join(tmpdir(), 'wfe-bench-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kube.kubeconfig(), { mode: 0o600 });
  const cluster = await connectCluster({ mode: 'local', kubeconfigPath }, clock ? { clock } : {});
  return {
    kube,
    cluster,
    kubeconfigPath,
    close: async () => {
      await kube.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
