import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SQS_MESSAGE_BYTES, sqsRequestQueue } from '../../functions/adapters/sqs/request-queue.js';
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

  // The local SQS does not enforce the limit, so the test checks what was sent stays within it.
  it.each([
    ['at the size limit', MAX_SQS_MESSAGE_BYTES, undefined],
    ['40 bytes under it', MAX_SQS_MESSAGE_BYTES - 40, 'n'],
  ])('WE-15: dead-letters a body %s with as much of the reason as fits', async (_name, bytes, reason) => {
    const body = `{${'x'.repeat(bytes - 2)}}`;
    const id = await sqsRequestQueue(sqs, urls).deadLetter(body, 'not valid JSON, and a long reason');
    expect(id).not.toBe('');
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: urls.dlqUrl,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const [message] = out.Messages ?? [];
    expect(message?.MessageId).toBe(id);
    expect(message?.Body).toHaveLength(bytes);
    const attributes = Object.entries(message?.MessageAttributes ?? {});
    const size =
      bytes + attributes.reduce((sum, [name, a]) => sum + name.length + 6 + (a.StringValue?.length ?? 0), 0);
    expect(size).toBeLessThanOrEqual(MAX_SQS_MESSAGE_BYTES);
    expect(message?.MessageAttributes?.reason?.StringValue).toBe(reason);
  });
});
