/**
 * WE-15: IAM and RBAC grant exactly what the code calls. The grants come from the adapters'
 * declarations (table-actions.ts, rbac-rules.ts); this test derives the same lists from the
 * adapters' source, so a new call without its grant, or a grant nothing calls, fails here.
 * A new adapter file that functions use is added to ADAPTERS below with what it talks to.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXECUTION_TABLE_ACTIONS } from '../../functions/adapters/dynamodb/table-actions.js';
import { CLUSTER_RBAC_RULES } from '../../functions/adapters/kubernetes/rbac-rules.js';

const source = (path: string) =>
  readFileSync(new URL(`../../functions/adapters/${path}`, import.meta.url), 'utf8');

/** lib-dynamodb command → IAM action; a transaction's items each need their own action. */
const DYNAMODB_ACTION: Record<string, string> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  BatchGet: 'dynamodb:BatchGetItem',
  BatchWrite: 'dynamodb:BatchWriteItem',
};

function dynamodbActionsOf(code: string): string[] {
  const commands = [...code.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!);
  const transactionItems = code.includes('new TransactWriteCommand(')
    ? [...code.matchAll(/\b(Put|Update|Delete|ConditionCheck):\s*\{/g)].map((m) => m[1]!)
    : [];
  return [
    ...new Set(
      [...commands.filter((c) => c !== 'TransactWrite'), ...transactionItems].map((c) => {
        const action = DYNAMODB_ACTION[c];
        if (!action) throw new Error(`no IAM action known for ${c}Command: add it to DYNAMODB_ACTION`);
        return action;
      }),
    ),
  ].sort();
}

/** The adapter's REST client method → RBAC verb; its first argument names the resource. */
const KUBE_METHOD = /this\.api\.(create|get|list|patch|replace|delete)\((\w+),/g;
const KUBE_VERB: Record<string, string> = {
  create: 'create',
  get: 'get',
  list: 'list',
  patch: 'patch',
  replace: 'update',
  delete: 'delete',
};

/** Rules derived from cluster.ts: the resource constant each call names, or the reader's callers. */
function rbacRulesOf(code: string) {
  const plural = (constant: string) =>
    new RegExp(`const ${constant} = \\{ group: '([^']*)', version: '[^']+', plural: '([^']+)' \\}`).exec(
      code,
    );
  const rules = new Map<string, Set<string>>();
  const grant = (group: string, resource: string, verb: string) => {
    const key = `${group}/${resource}`;
    rules.set(key, (rules.get(key) ?? new Set()).add(verb));
  };
  for (const [, method, constant] of code.matchAll(KUBE_METHOD)) {
    const verb = KUBE_VERB[method!]!;
    // A call through a helper that takes the resource is granted for each constant the helper is called with.
    const constants =
      constant && plural(constant) ? [constant] : [...code.matchAll(/this\.read\((\w+),/g)].map((m) => m[1]!);
    for (const c of constants) {
      const [, group, resource] = plural(c) ?? [];
      if (group === undefined || !resource)
        throw new Error(`cannot tell the resource of a ${method} call (${c})`);
      grant(group, resource, verb);
    }
  }
  return rules;
}

describe('WE-15: grants derived from the code', () => {
  it('the execution table adapter calls exactly the declared DynamoDB actions', () => {
    expect(dynamodbActionsOf(source('dynamodb/execution-table.ts'))).toEqual(
      [...EXECUTION_TABLE_ACTIONS.items, ...EXECUTION_TABLE_ACTIONS.dueIndex].sort(),
    );
  });

  it('the cluster adapter calls exactly the declared Kubernetes verbs', () => {
    const derived = rbacRulesOf(source('kubernetes/cluster.ts'));
    const declared = new Map(
      CLUSTER_RBAC_RULES.map((r) => [`${r.apiGroups[0]}/${r.resources[0]}`, new Set<string>(r.verbs)]),
    );
    expect(derived).toEqual(declared);
  });

  it('the derivation sees what it must', () => {
    expect(
      dynamodbActionsOf(
        'new TransactWriteCommand({ TransactItems: [{ Update: { } }, { ConditionCheck: { } }] })',
      ),
    ).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem']);
    const rules = rbacRulesOf(
      "const PIPELINE_RUNS = { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns' } as const;\nconst EVENTS = { group: '', version: 'v1', plural: 'events' } as const;\nthis.api.list(PIPELINE_RUNS, namespace, {});\nthis.api.patch(EVENTS, namespace, name, patch);",
    );
    expect(rules).toEqual(
      new Map([
        ['tekton.dev/pipelineruns', new Set(['list'])],
        ['/events', new Set(['patch'])],
      ]),
    );
  });
});
