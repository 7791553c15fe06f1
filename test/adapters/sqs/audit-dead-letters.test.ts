import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsAuditDeadLetters } from '../../../functions/adapters/sqs/audit-dead-letters.js';
import { sqsAuditDeadLetterQueue } from '../../../functions/adapters/sqs/audit-dlq-reader.js';
import type { AuditDeadLetter } from '../../../functions/core/ports.js';
import { manyEvents } from '../../fixtures/audit-events.js';
import { type LocalSqs, startLocalSqs } from '../../setup/local-sqs.js';

let sqs: LocalSqs;
beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  await sqs?.close();
});

let queues = 0;
const newQueue = () => sqs.createQueue(`audit-dlq-${++queues}`);

const entries = (count: number): AuditDeadLetter[] =>
  manyEvents(count, new Date(Date.now() - 3600_000), 'we-dlq').map((event, i) => ({
    event,
    record: { pk: `EXEC#default/${event.resource_id}`, sk: `AUDIT#${i}`, kind: 'audit', event },
    reason: 'DataStorage refused the event (400): event at index 0: invalid timestamp',
    problem: {
      type: 'https://kubernaut.ai/problems/validation-error',
      status: 400,
      detail: 'event at index 0: invalid timestamp',
    },
  }));

describe('sqsAuditDeadLetters', () => {
  it('writes each entry as one message: body {reason, problem, event, record} and filterable attributes', async () => {
    const url = await newQueue();
    const [entry] = entries(1);
    await sqsAuditDeadLetters(sqs.client, url).send([entry!]);
    const out = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    expect(out.Messages).toHaveLength(1);
    const message = out.Messages![0]!;
    expect(JSON.parse(message.Body!)).toEqual({
      reason: entry!.reason,
      problem: entry!.problem,
      event: entry!.event,
      record: entry!.record,
    });
    expect(message.MessageAttributes?.reason?.StringValue).toBe(entry!.reason);
    expect(message.MessageAttributes?.event_type?.StringValue).toBe(entry!.event!.event_type);
    expect(message.MessageAttributes?.correlation_id?.StringValue).toBe(entry!.event!.correlation_id);
  });

  it('sends more than ten entries in batches of ten', async () => {
    const url = await newQueue();
    await sqsAuditDeadLetters(sqs.client, url).send(entries(23));
    const out = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Number(out.Attributes?.ApproximateNumberOfMessages)).toBe(23);
  });

  it('throws when SQS does not take the messages', async () => {
    const writer = sqsAuditDeadLetters(sqs.client, `${sqs.endpoint}/123456789012/no-such-queue`);
    await expect(writer.send(entries(1))).rejects.toThrow();
  });
});

describe('sqsAuditDeadLetterQueue', () => {
  it('reads entries back, deletes some and releases the rest for the next reader', async () => {
    const url = await newQueue();
    const written = entries(3);
    await sqsAuditDeadLetters(sqs.client, url).send(written);
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'not json' }));
    const queue = sqsAuditDeadLetterQueue(sqs.client, url, { waitTimeSeconds: 0 });

    const received = await queue.receive(10);
    expect(received).toHaveLength(4);
    const readable = received.filter((r) => !('unreadable' in r.entry));
    expect(readable.map((r) => r.entry)).toEqual(expect.arrayContaining(written));
    expect(received.find((r) => 'unreadable' in r.entry)?.entry).toEqual({
      unreadable: expect.stringContaining('body is not JSON'),
    });
    expect(await queue.receive(10)).toEqual([]);

    await queue.delete(readable.slice(0, 2));
    await queue.release(received.filter((r) => !readable.slice(0, 2).includes(r)));
    expect(await queue.depth()).toBe(2);
    expect(await queue.receive(10)).toHaveLength(2);
  });

  it('says what a Lambda on-failure record is, rather than just that it is unreadable', async () => {
    const url = await newQueue();
    const onFailure = {
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 101 },
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000001',
        startSequenceNumber: '4421584500000000017450439',
        endSequenceNumber: '4421584500000000017450539',
        batchSize: 2,
        streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/wfe-state/stream/x',
      },
    };
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(onFailure) }));
    const [received] = await sqsAuditDeadLetterQueue(sqs.client, url, { waitTimeSeconds: 0 }).receive(10);
    expect(received!.entry).toEqual({
      unreadable:
        'a stream on-failure record (shard shardId-00000001, sequence numbers 4421584500000000017450439 to 4421584500000000017450539): it carries no events; they can be read from the stream only within its 24 h retention',
    });
  });
});
