/**
 * One DynamoDB Local for every test process of a run that starts many (Stryker starts a vitest per
 * worker, and a new one after each mutant that timed out): started once in the parent, whose
 * children find it through this variable and start none of their own (test/setup/global.ts).
 */
import { startDynamoDbLocal } from '../../local/aws/dynamodb-local.js';

export const SHARED_DYNAMODB_ENDPOINT = 'WFE_TEST_DYNAMODB_ENDPOINT';

/** Starts DynamoDB Local for this process's children; it stops when this process exits. */
export async function shareDynamoDbLocal(): Promise<string> {
  const { endpoint } = await startDynamoDbLocal({ untilExit: true });
  process.env[SHARED_DYNAMODB_ENDPOINT] = endpoint;
  return endpoint;
}
