import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import { failedMessageIds, type Poller, startQueuePoller } from '../../../local/aws/queue-poller.js';
import { type LocalSqs, startLocalSqs } from '../../../local/aws/sqs.js';
import { eventually } from './eventually.js';

describe('queue poller', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let poller: Poller | undefined;

  beforeEach(async () => {
    sqs = await startLocalSqs({ settings: { maxReceiveCount: 3, visibilityTimeoutSeconds: 1 } });
    client = new SQSClient({ endpoint: sqs.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    client.destroy();
    await sqs.close();
  });

  const send = (body: string, extra: { DelaySeconds?: number } = {}) =>
    client.send(
      new SendMessageCommand({
        QueueUrl: sqs.requests.url,
        MessageBody: body,
        MessageAttributes: { origin: { DataType: 'String', StringValue: 'test' } },
        ...extra,
      }),
    );

  const depth = async (url: string) => {
    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };

  function poll(
    handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>,
    options: { batchSize?: number; batchingWindowSeconds?: number } = {},
  ) {
    poller = startQueuePoller({
      sqs: client,
      queue: sqs.requests,
      functionName: 'test-execute',
      timeoutMs: 30_000,
      // The queue's visibility timeout is 1 s here: a longer window would see messages come back into it.
      batchingWindowSeconds: 0,
      handler: (event) => handler(event),
      ...options,
    });
  }

  it('delivers a real-shaped SQSEvent and deletes what the handler did not report as failed', async () => {
    const batches: SQSRecord[][] = [];
    poll(async (event) => {
      batches.push(event.Records);
      return { batchItemFailures: [] };
    });
    await send('{"hello":1}');
    await eventually(() => expect(batches.flat()).toHaveLength(1));
    const [record] = batches.flat();
    expect(record).toMatchObject({
      body: '{"hello":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: sqs.requests.arn,
      awsRegion: LOCAL_REGION,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { origin: { dataType: 'String', stringValue: 'test' } },
    });
    expect(record?.messageId).toMatch(/\S/);
    expect(record?.receiptHandle).toMatch(/\S/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
    await eventually(async () => expect(await depth(sqs.requests.url)).toBe(0));
  });

  it('leaves a reported failure to come back after the visibility timeout, with its receive count raised', async () => {
    const seen: { id: string; body: string; count: string }[] = [];
    poll(async (event) => {
      for (const r of event.Records)
        seen.push({ id: r.messageId, body: r.body, count: r.attributes.ApproximateReceiveCount });
      const failing = event.Records.filter(
        (r) => r.body === 'fail-once' && r.attributes.ApproximateReceiveCount === '1',
      );
      return { batchItemFailures: failing.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await send('ok');
    await send('fail-once');
    await eventually(
      () => expect(seen.filter((s) => s.body === 'fail-once').map((s) => s.count)).toEqual(['1', '2']),
      8000,
    );
    expect(seen.filter((s) => s.body === 'ok')).toHaveLength(1);
    await eventually(async () => expect(await depth(sqs.requests.url)).toBe(0));
  });

  it('leaves the whole batch when the handler throws', async () => {
    let calls = 0;
    const counts: string[] = [];
    poll(async (event) => {
      calls++;
      counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      if (calls === 1) throw new Error('cluster unavailable');
      return undefined;
    });
    await send('a');
    await eventually(() => expect(counts).toContain('2'), 8000);
    await eventually(async () => expect(await depth(sqs.requests.url)).toBe(0));
  });

  it('moves a poison message to the DLQ after the configured receives, as the redrive policy says', async () => {
    const counts: string[] = [];
    poll(async (event) => {
      counts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      throw new Error('always fails');
    });
    await send('poison');
    await eventually(async () => expect(await depth(sqs.requestsDlq.url)).toBe(1), 15_000);
    expect(counts).toEqual(['1', '2', '3']);
    const parked = await client.send(new ReceiveMessageCommand({ QueueUrl: sqs.requestsDlq.url }));
    expect(parked.Messages?.[0]?.Body).toBe('poison');
    expect(await depth(sqs.requests.url)).toBe(0);
  }, 20_000);

  it('honours DelaySeconds: a deferred message is not delivered before its delay', async () => {
    const delivered: number[] = [];
    poll(async (event) => {
      delivered.push(...event.Records.map(() => Date.now()));
      return undefined;
    });
    const sentAt = Date.now();
    await send('later', { DelaySeconds: 2 });
    await eventually(() => expect(delivered).toHaveLength(1), 8000);
    expect(delivered[0]! - sentAt).toBeGreaterThanOrEqual(1900);
  });

  it('delivers at most batchSize messages per invocation', async () => {
    const sizes: number[] = [];
    poll(
      async (event) => {
        sizes.push(event.Records.length);
        return undefined;
      },
      { batchSize: 2, batchingWindowSeconds: 1 },
    );
    for (let i = 0; i < 5; i++) await send(`m${i}`);
    await eventually(() => expect(sizes.reduce((a, b) => a + b, 0)).toBe(5), 10_000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
  });
});

describe('failedMessageIds', () => {
  const records = [{ messageId: 'a' }, { messageId: 'b' }] as SQSRecord[];

  it('reads the reported failures', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, records)).toEqual(
      new Set(['b']),
    );
  });

  it('treats no response or no failures as all done', () => {
    expect(failedMessageIds(undefined, records).size).toBe(0);
    expect(failedMessageIds({ batchItemFailures: [] }, records).size).toBe(0);
  });

  it('fails the whole batch when a failure names no message of it, as Lambda does', () => {
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, records)).toEqual(
      new Set(['a', 'b']),
    );
    expect(failedMessageIds({ batchItemFailures: [{ itemIdentifier: '' }] }, records)).toEqual(
      new Set(['a', 'b']),
    );
  });
});
