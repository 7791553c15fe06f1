/**
 * Shared test plumbing for the local API server's contract tests: the real client-node clients,
 * a PipelineRun body, and a way to read a failed call's Status.
 */
import { ApiException, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { KubeApi } from '../../../local/kube-api/index.js';

export const NS = 'kubernaut-workflows';
export const PR = { group: 'tekton.dev', version: 'v1', namespace: NS, plural: 'pipelineruns' } as const;
export const TR = { ...PR, plural: 'taskruns' } as const;

export interface Clients {
  kc: KubeConfig;
  custom: CustomObjectsApi;
  core: CoreV1Api;
}

export function clients(kubeApi: KubeApi): Clients {
  const kc = kubeApi.kubeConfig();
  return { kc, custom: kc.makeApiClient(CustomObjectsApi), core: kc.makeApiClient(CoreV1Api) };
}

export interface PipelineRunBody {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export function pipelineRun(name: string, extra: Partial<PipelineRunBody> = {}): PipelineRunBody {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    ...extra,
    metadata: { name, labels: { 'kubernaut.ai/workflow-execution': 'we-1' }, ...extra.metadata },
    spec: {
      pipelineRef: {
        resolver: 'bundles',
        params: [
          { name: 'bundle', value: 'quay.io/kubernaut/workflows/test:v1' },
          { name: 'name', value: 'workflow' },
          { name: 'kind', value: 'pipeline' },
        ],
      },
      params: [{ name: 'TARGET_RESOURCE', value: 'payment/Deployment/api' }],
      ...extra.spec,
    },
  };
}

export interface Failure {
  code: number;
  status: Record<string, unknown>;
  headers: Record<string, string>;
}

/** The HTTP code and parsed Status body of a call that must fail. */
export async function failureOf(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = err.body as unknown;
    return {
      code: err.code,
      status: typeof body === 'string' ? (JSON.parse(body) as Record<string, unknown>) : {},
      headers: err.headers,
    };
  }
  throw new Error('expected the call to fail');
}

/** An object as the API returns it, for reading fields in tests. */
export type Obj = {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    generation?: number;
    creationTimestamp: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
};

export const asObj = (value: unknown) => value as Obj;

/** Polls until `check` passes or the deadline expires (for auto mode and streams only). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export interface Step {
  name: string;
  terminated?: { exitCode: number; reason?: string };
}

export const stepsOf = (o: Obj): Step[] => (o.status?.steps ?? []) as Step[];
