import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAuditInsert } from '../../../local/aws/audit-filter.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import type { Poller } from '../../../local/aws/queue-poller.js';
import {
  type StreamBatchFailure,
  type StreamPollerOptions,
  startStreamPoller,
} from '../../../local/aws/stream-poller.js';
import { createTestTable, type TestTable } from '../../setup/dynamodb.js';
import { eventually } from './eventually.js';

describe('stream poller', () => {
  let table: TestTable;
  let streams: DynamoDBStreamsClient;
  let streamArn: string;
  let poller: Poller | undefined;

  beforeEach(async () => {
    table = await createTestTable('wfe-stream');
    streams = new DynamoDBStreamsClient({
      endpoint: table.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const described = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    streamArn = described.Table?.LatestStreamArn ?? '';
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
    streams.destroy();
  });

  const putAudit = (n: number) =>
    table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: 'EXEC#ns/we', sk: `AUDIT#${String(n).padStart(3, '0')}`, kind: 'audit', event: { n } },
      }),
    );
  const putOther = (n: number) =>
    table.doc.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: `LOCK#c#t${n}`, sk: 'LOCK', kind: 'lock', n },
      }),
    );
  const numbers = (records: DynamoDBRecord[]) =>
    records.map((r) => Number(r.dynamodb?.NewImage?.event?.M?.n?.N));

  function poll(
    handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>,
    options: Partial<StreamPollerOptions> = {},
  ) {
    poller = startStreamPoller({
      streams,
      streamArn,
      functionName: 'test-forwarder',
      timeoutMs: 60_000,
      handler: (event) => handler(event),
      filter: isAuditInsert,
      pollIntervalMs: 50,
      retryBackoff: { baseMs: 20, maxMs: 100 },
      ...options,
    });
  }

  it('delivers only audit INSERTs, in order, in batches of at most batchSize, shaped as Lambda delivers them', async () => {
    const batches: DynamoDBRecord[][] = [];
    for (let i = 1; i <= 5; i++) {
      await putAudit(i);
      await putOther(i);
    }
    await table.doc.send(
      new DeleteCommand({ TableName: table.tableName, Key: { pk: 'EXEC#ns/we', sk: 'AUDIT#001' } }),
    );
    poll(
      async (event) => {
        batches.push(event.Records);
        return { batchItemFailures: [] };
      },
      { batchSize: 2 },
    );
    await eventually(() => expect(numbers(batches.flat())).toEqual([1, 2, 3, 4, 5]));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
    const first = batches[0]![0]!;
    expect(first).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: { StreamViewType: 'NEW_IMAGE', NewImage: { kind: { S: 'audit' } } },
    });
    expect(typeof first.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(first.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
  });

  it('resumes at the reported sequence number: the records before it are not delivered again', async () => {
    for (let i = 1; i <= 4; i++) await putAudit(i);
    const deliveries: number[][] = [];
    poll(async (event) => {
      deliveries.push(numbers(event.Records));
      const third = event.Records.find((r) => numbers([r])[0] === 3);
      return deliveries.length === 1 && third
        ? { batchItemFailures: [{ itemIdentifier: third.dynamodb?.SequenceNumber ?? '' }] }
        : { batchItemFailures: [] };
    });
    await eventually(() => expect(deliveries.length).toBeGreaterThanOrEqual(2));
    expect(deliveries[0]).toEqual([1, 2, 3, 4]);
    expect(deliveries[1]).toEqual([3, 4]);
  });

  it('retries a batch whose invocation threw, halving it first when bisecting', async () => {
    for (let i = 1; i <= 4; i++) await putAudit(i);
    const deliveries: number[][] = [];
    poll(
      async (event) => {
        deliveries.push(numbers(event.Records));
        if (deliveries.length === 1) throw new Error('DataStorage down');
        return undefined;
      },
      { bisectBatchOnError: true },
    );
    await eventually(() => expect(deliveries.flat().filter((n) => n === 4)).toHaveLength(2));
    expect(deliveries).toEqual([
      [1, 2, 3, 4],
      [1, 2],
      [3, 4],
    ]);
  });

  it('after its retries, reports the failed range to the on-failure destination and moves past it', async () => {
    for (let i = 1; i <= 3; i++) await putAudit(i);
    const failures: StreamBatchFailure[] = [];
    const delivered: number[] = [];
    let invocations = 0;
    poll(
      async (event) => {
        invocations++;
        const n = numbers(event.Records);
        if (n.includes(2)) {
          const second = event.Records[n.indexOf(2)]!;
          delivered.push(...n.slice(0, n.indexOf(2)));
          return { batchItemFailures: [{ itemIdentifier: second.dynamodb?.SequenceNumber ?? '' }] };
        }
        delivered.push(...n);
        return undefined;
      },
      { retryAttempts: 2, batchSize: 1, onFailure: async (f) => void failures.push(f) },
    );
    await eventually(() => expect(delivered).toContain(3));
    expect(delivered).toEqual([1, 3]);
    expect(failures).toHaveLength(1);
    const info = failures[0]!;
    expect(info.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(info.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn });
    expect(info.DDBStreamBatchInfo.startSequenceNumber).toBe(info.DDBStreamBatchInfo.endSequenceNumber);
    // The first attempt and two retries.
    expect(invocations).toBeGreaterThanOrEqual(4);
  });

  it('gives up on records older than maxRecordAge, as RecordAgeExceeded', async () => {
    await putAudit(1);
    const failures: StreamBatchFailure[] = [];
    poll(
      async () => {
        throw new Error('never works');
      },
      { maxRecordAgeMs: 0, onFailure: async (f) => void failures.push(f) },
    );
    await eventually(() => expect(failures).toHaveLength(1));
    expect(failures[0]?.requestContext.condition).toBe('RecordAgeExceeded');
  });
});
