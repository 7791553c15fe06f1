/**
 * The Kubernetes API calls the cluster adapter (cluster.ts) makes, as RBAC rules in the execution
 * namespace: infra/cluster-rbac.yaml grants these and no more. test/adapters/declared-calls.test.ts
 * derives them from the adapter's code.
 */
export const CLUSTER_RBAC_RULES = [
  // execute creates PipelineRuns (and reads its own on 409); reconcile lists the system's runs a page
  // at a time, reads one it did not list, and deletes finished ones it owns when the cooldown ends.
  { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['get', 'list', 'create', 'delete'] },
  // reconcile reads the failed TaskRun to classify a failure (exit code, OOMKilled, ...).
  { apiGroups: ['tekton.dev'], resources: ['taskruns'], verbs: ['get'] },
  // Events about the PipelineRun, as Kubernaut's controller records them.
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
] as const;
