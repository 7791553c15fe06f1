/**
 * The Tekton PipelineRun for an execution (SPEC WE-4): its deterministic name, Kubernaut's labels
 * and annotation, the bundles resolver, parameters, service account and timeout.
 */
import { createHash } from 'node:crypto';
import { formatDuration, parseDuration } from './duration.js';
import type { ExecutionId } from './execution-id.js';
import { type Manifest, RESERVED_PARAMETER } from './manifest.js';
import { targetLabelValue } from './target.js';

export const Label = {
  WorkflowExecution: 'kubernaut.ai/workflow-execution',
  WorkflowId: 'kubernaut.ai/workflow-id',
  TargetResource: 'kubernaut.ai/target-resource',
  SourceNamespace: 'kubernaut.ai/source-namespace',
} as const;
export const TARGET_ANNOTATION = 'kubernaut.ai/target-resource';

/** "wfe-" + the first 16 hex characters of SHA-256(targetResource): 20 characters, one per target. */
export function pipelineRunName(targetResource: string): string {
  return `wfe-${createHash('sha256').update(targetResource, 'utf8').digest('hex').slice(0, 16)}`;
}

export interface PipelineRunSettings {
  namespace: string;
  serviceAccountName: string;
}

export interface PipelineRunObject {
  apiVersion: 'tekton.dev/v1';
  kind: 'PipelineRun';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    pipelineRef: { resolver: 'bundles'; params: { name: string; value: string }[] };
    params: { name: string; value: string }[];
    taskRunTemplate: { serviceAccountName: string };
    timeouts?: { pipeline: string };
  };
}

export function buildPipelineRun(manifest: Manifest, settings: PipelineRunSettings): PipelineRunObject {
  const { metadata, spec } = manifest;
  const parameters = Object.entries(spec.parameters ?? {})
    .filter(([name]) => name !== RESERVED_PARAMETER)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
  const timeoutMs = spec.executionConfig?.timeout ? parseDuration(spec.executionConfig.timeout) : undefined;
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      name: pipelineRunName(spec.targetResource),
      namespace: settings.namespace,
      labels: {
        [Label.WorkflowExecution]: metadata.name,
        [Label.WorkflowId]: spec.workflowRef.workflowId,
        [Label.TargetResource]: targetLabelValue(spec.targetResource),
        [Label.SourceNamespace]: metadata.namespace,
      },
      annotations: { [TARGET_ANNOTATION]: spec.targetResource },
    },
    spec: {
      pipelineRef: {
        resolver: 'bundles',
        params: [
          { name: 'bundle', value: spec.workflowRef.containerImage },
          { name: 'name', value: 'workflow' },
          { name: 'kind', value: 'pipeline' },
        ],
      },
      params: [...parameters, { name: RESERVED_PARAMETER, value: spec.targetResource }],
      taskRunTemplate: {
        serviceAccountName: spec.executionConfig?.serviceAccountName ?? settings.serviceAccountName,
      },
      ...(timeoutMs ? { timeouts: { pipeline: formatDuration(timeoutMs) } } : {}),
    },
  };
}

/** A run belongs to an execution when both owner labels name it (a run is read from its execution's cluster). */
export function isOwnedBy(labels: Record<string, string> | undefined, id: ExecutionId): boolean {
  return labels?.[Label.WorkflowExecution] === id.name && labels?.[Label.SourceNamespace] === id.namespace;
}

/** The execution a run of `cluster` belongs to, by its owner labels. */
export function ownerOf(
  labels: Record<string, string> | undefined,
  cluster: string,
): ExecutionId | undefined {
  const name = labels?.[Label.WorkflowExecution];
  const namespace = labels?.[Label.SourceNamespace];
  return name && namespace ? { cluster, name, namespace } : undefined;
}
