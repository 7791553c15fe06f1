import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsRequestQueue } from '../../functions/adapters/sqs/request-queue.js';
import { freePort } from '../../local/free-port.js';

describe('sqsRequestQueue', () => {
  let server: Awaited<ReturnType<typeof createSqsServer>>;
  let sqs: SQSClient;
  let urls: { queueUrl: string; dlqUrl: string };

  beforeAll(async () => {
    const port = await freePort();
    server = await createSqsServer({
      port,
      hostname: '127.0.0.1',
      queues: [{ QueueName: 'requests' }, { QueueName: 'requests-dlq' }],
    });
    sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    urls = {
      queueUrl: `http://127.0.0.1:${port}/123456789012/requests`,
      dlqUrl: `http://127.0.0.1:${port}/123456789012/requests-dlq`,
    };
  });
  afterAll(() => {
    sqs.destroy();
    server.close();
  });

  it('WE-3: defers a request as a new message, invisible until its delay has passed', async () => {
    await sqsRequestQueue(sqs, urls).defer('{"a":1}', 1);
    const early = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls.queueUrl, WaitTimeSeconds: 0 }));
    expect(early.Messages ?? []).toHaveLength(0);
    const later = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls.queueUrl, WaitTimeSeconds: 3 }));
    expect(later.Messages?.[0]?.Body).toBe('{"a":1}');
  });

  it('parks a rejected request in the dead-letter queue with its reason', async () => {
    await sqsRequestQueue(sqs, urls).deadLetter('not json', 'request body is not valid JSON');
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: urls.dlqUrl,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(out.Messages?.[0]?.Body).toBe('not json');
    expect(out.Messages?.[0]?.MessageAttributes?.reason?.StringValue).toBe('request body is not valid JSON');
  });
});
