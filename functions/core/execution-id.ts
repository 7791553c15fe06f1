/**
 * An execution's identity and its key, apart from the request schema so that code which only names
 * executions (the stores, the CLI's tables) does not load the validator.
 */
export interface ExecutionId {
  namespace: string;
  name: string;
}

export const executionKey = (id: ExecutionId): string => `${id.namespace}/${id.name}`;
