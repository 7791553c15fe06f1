/**
 * The target resource string ("namespace/Kind/name" or "Kind/name") and what is derived from it:
 * the lock key, and the label value Kubernaut puts on the PipelineRun.
 */
export interface TargetParts {
  namespace?: string;
  kind: string;
  name: string;
}

const PART = /^[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$/;

/** Kubernaut's ValidateSpec rules for targetResource, plus a character check so no part escapes its field. */
export function targetProblem(target: string): string | undefined {
  if (target.length === 0) return 'targetResource is required';
  const parts = target.split('/');
  if (parts.length < 2 || parts.length > 3) {
    return `targetResource must be in format {namespace}/{kind}/{name} (namespaced) or {kind}/{name} (cluster-scoped), got ${parts.length} parts`;
  }
  const empty = parts.findIndex((p) => p.length === 0);
  if (empty >= 0) return `targetResource has empty part at position ${empty}`;
  const bad = parts.findIndex((p) => p.length > 253 || !PART.test(p));
  if (bad >= 0) return `targetResource part at position ${bad} has characters a Kubernetes name cannot have`;
  return undefined;
}

export function parseTarget(target: string): TargetParts {
  const parts = target.split('/');
  if (parts.length === 3) return { namespace: parts[0], kind: parts[1]!, name: parts[2]! };
  return { kind: parts[0]!, name: parts[1]! };
}

/** One lock per target string (exact, case-sensitive) per cluster. */
export function lockKey(clusterName: string, target: string): string {
  return `${clusterName}#${target}`;
}

/**
 * Kubernaut's sanitizeLabelValue (`/` → `__`, at most 63 characters), made always valid:
 * any other character a label value cannot hold becomes `_`, and the ends are trimmed to alphanumerics.
 */
export function targetLabelValue(target: string): string {
  return target
    .replaceAll('/', '__')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
