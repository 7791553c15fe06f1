import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CLUSTER_RBAC_RULES } from '../../functions/adapters/kubernetes/rbac-rules.js';
import { parseInfraConfig } from '../../infra/config.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe('infra/cluster-rbac.yaml', () => {
  const docs = parseAllDocuments(
    readFileSync(new URL('../../infra/cluster-rbac.yaml', import.meta.url), 'utf8'),
  ).map(
    (d) =>
      d.toJS() as {
        kind: string;
        metadata: { namespace: string };
        rules?: Rule[];
        subjects?: { name: string }[];
      },
  );
  const defaults = parseInfraConfig({});
  const role = docs.find((d) => d.kind === 'Role');
  const binding = docs.find((d) => d.kind === 'RoleBinding');

  it('binds the access entries’ default group in the default execution namespace', () => {
    expect(defaults.cluster).toMatchObject({ kubernetesGroup: 'wfe-executors' });
    expect(binding?.subjects).toEqual([expect.objectContaining({ kind: 'Group', name: 'wfe-executors' })]);
    for (const doc of [role, binding]) expect(doc?.metadata.namespace).toBe(defaults.execution.namespace);
  });

  it('WE-15: grants exactly the calls the cluster adapter declares', () => {
    expect(role?.rules).toEqual(CLUSTER_RBAC_RULES);
  });
});
