/**
 * What a request may ask the cluster to do is bounded by the operator, not by whoever can send to
 * the queue (WE-15): the service account a PipelineRun runs as and the bundle it resolves.
 */
import type { Manifest } from './manifest.js';

export interface GuardrailSettings {
  /** The PipelineRuns' service account when a request names none. */
  serviceAccountName: string;
  /** ALLOWED_SERVICE_ACCOUNTS; unset allows only serviceAccountName. */
  allowedServiceAccounts?: readonly string[];
  /** ALLOWED_BUNDLE_PREFIXES; unset allows any bundle. */
  allowedBundlePrefixes?: readonly string[];
}

/** Why the request is outside the operator's bounds, naming the setting; undefined when inside. */
export function guardrailViolation(manifest: Manifest, settings: GuardrailSettings): string | undefined {
  const allowedAccounts = settings.allowedServiceAccounts ?? [settings.serviceAccountName];
  const account = manifest.spec.executionConfig?.serviceAccountName ?? settings.serviceAccountName;
  if (!allowedAccounts.includes(account))
    return `executionConfig.serviceAccountName "${account}" is not in ALLOWED_SERVICE_ACCOUNTS (${allowedAccounts.join(', ')})`;
  const prefixes = settings.allowedBundlePrefixes;
  if (prefixes && !prefixes.some((prefix) => manifest.spec.workflowRef.containerImage.startsWith(prefix)))
    return `workflowRef.containerImage does not start with any of ALLOWED_BUNDLE_PREFIXES (${prefixes.join(', ')})`;
  return undefined;
}
