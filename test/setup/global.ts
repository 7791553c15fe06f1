/**
 * Vitest global setup: starts the engines the tests share (DynamoDB Local) once per run and stops
 * them afterwards, unless the process that started vitest shares its own (test/setup/shared-dynamodb.ts).
 * Test files create their own tables (test/setup/dynamodb.ts), so they never share state.
 */
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/aws/dynamodb-local.js';
import { SHARED_DYNAMODB_ENDPOINT } from './shared-dynamodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let dynamodb: DynamoDbLocal | undefined;

export async function setup(project: TestProject) {
  const shared = process.env[SHARED_DYNAMODB_ENDPOINT];
  if (shared) return project.provide('dynamodbEndpoint', shared);
  dynamodb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
}

export async function teardown() {
  await dynamodb?.stop();
}
