import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import { eventually } from './eventually.js';

const run = promisify(execFile);

describe('DynamoDB Local started until its process exits (one shared by a mutation run)', () => {
  it('lets the process that started it end on its own, and stops with it', async () => {
    // The shared start as stryker.config.mjs does it, in a process that does nothing else.
    const script =
      "import { shareDynamoDbLocal } from './test/setup/shared-dynamodb.ts'; console.log(await shareDynamoDbLocal());";
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 40_000,
    });
    const endpoint = stdout.trim();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new DynamoDBClient({
      endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    await eventually(
      () => expect(client.send(new ListTablesCommand({}))).rejects.toThrow(/ECONNREFUSED/),
      10_000,
    );
    client.destroy();
  }, 60_000);
});
