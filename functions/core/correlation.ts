/**
 * The correlation id an execution's audit trail is filed under in DataStorage, apart from the request
 * schema so that readers of stored executions (the CLI's progress view) do not load the validator.
 */
import type { Manifest } from './manifest.js';

export const CORRELATION_LABEL = 'kubernaut.ai/correlation-id';

/** The correlation id DataStorage is queried by: the label, else the parent RemediationRequest, else the name. */
export function correlationId(m: {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Partial<Manifest['spec']>;
}): string {
  return m.metadata.labels?.[CORRELATION_LABEL] ?? m.spec?.remediationRequestRef?.name ?? m.metadata.name;
}
