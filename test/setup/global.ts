/**
 * Vitest global setup: starts the engines the tests share (DynamoDB Local) once per run and stops
 * them afterwards. Test files create their own tables (test/setup/dynamodb.ts), so they never share state.
 */
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/aws/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let dynamodb: DynamoDbLocal | undefined;

export async function setup(project: TestProject) {
  dynamodb = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
}

export async function teardown() {
  await dynamodb?.stop();
}
