/**
 * A local SQS (local-aws-sqs, in process) for tests that send to or read from a queue.
 */
import type { Server } from 'node:http';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/aws/dynamodb-local.js';
import { freePort } from '../../local/free-port.js';

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  createQueue(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalSqs(): Promise<LocalSqs> {
  const port = await freePort();
  const server: Server = await createSqsServer({
    port,
    hostname: '127.0.0.1',
    emulateQueueCreationLifecycle: false,
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    client,
    async createQueue(name) {
      const out = await client.send(new CreateQueueCommand({ QueueName: name }));
      if (!out.QueueUrl) throw new Error(`local SQS returned no URL for queue ${name}`);
      return out.QueueUrl;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        client.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections?.();
      }),
  };
}
