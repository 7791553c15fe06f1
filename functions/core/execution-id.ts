/**
 * An execution's identity and its key, apart from the request schema so that code which only names
 * executions (the stores, the CLI's tables) does not load the validator. The cluster is part of it
 * (WE-16): the same namespace/name in two clusters are two executions.
 */
export interface ExecutionId {
  cluster: string;
  namespace: string;
  name: string;
}

export const executionKey = (id: ExecutionId): string => `${id.cluster}/${id.namespace}/${id.name}`;
