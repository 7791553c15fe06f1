/**
 * The resources this API server serves, described the way the apiserver's REST mapping does:
 * group, version, plural, Kind, scope, and whether a status subresource splits writes.
 */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  /** With a status subresource the main endpoint ignores .status and /status ignores the rest. */
  statusSubresource: boolean;
  /** Custom resources carry metadata.generation; core Events and Namespaces do not. */
  tracksGeneration: boolean;
  /** Typed (built-in) lists send items without kind/apiVersion; custom resource lists keep them. */
  custom: boolean;
  shortNames: string[];
  /** "pipelineruns.tekton.dev", or "events" for the core group: the prefix of NotFound and Conflict messages. */
  groupResource: string;
  /** "PipelineRun.tekton.dev", or "Event": the prefix of Invalid messages. */
  groupKind: string;
  apiVersion: string;
}

type Definition = Omit<ResourceType, 'groupResource' | 'groupKind' | 'apiVersion' | 'listKind'>;

function define(d: Definition): ResourceType {
  return {
    ...d,
    listKind: `${d.kind}List`,
    groupResource: d.group ? `${d.plural}.${d.group}` : d.plural,
    groupKind: d.group ? `${d.kind}.${d.group}` : d.kind,
    apiVersion: d.group ? `${d.group}/${d.version}` : d.version,
  };
}

export const PipelineRuns = define({
  group: 'tekton.dev',
  version: 'v1',
  plural: 'pipelineruns',
  kind: 'PipelineRun',
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  custom: true,
  shortNames: ['pr', 'prs'],
});

export const TaskRuns = define({
  group: 'tekton.dev',
  version: 'v1',
  plural: 'taskruns',
  kind: 'TaskRun',
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  custom: true,
  shortNames: ['tr', 'trs'],
});

export const Events = define({
  group: '',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
  statusSubresource: false,
  tracksGeneration: false,
  custom: false,
  shortNames: ['ev'],
});

export const Namespaces = define({
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
  statusSubresource: true,
  tracksGeneration: false,
  custom: false,
  shortNames: ['ns'],
});

export const RESOURCES: readonly ResourceType[] = [PipelineRuns, TaskRuns, Events, Namespaces];

export type ResourceName = 'pipelineruns' | 'taskruns' | 'events' | 'namespaces';

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceNamed(plural: ResourceName): ResourceType {
  const type = RESOURCES.find((r) => r.plural === plural);
  if (!type) throw new Error(`unknown resource ${plural}`);
  return type;
}
