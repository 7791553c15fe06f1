/**
 * A fresh state table on the shared DynamoDB Local for one test file (or one test).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/execution-table.js';
import { createStateTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/aws/dynamodb-local.js';

export interface TestTable {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  doc: ReturnType<typeof documentClient>;
}

export async function createTestTable(prefix = 'wfe-test'): Promise<TestTable> {
  const endpoint = inject('dynamodbEndpoint');
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await createStateTable(client, tableName);
  return { endpoint, tableName, client, doc: documentClient(client) };
}
