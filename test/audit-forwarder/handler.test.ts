import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { executionTable } from '../../functions/adapters/dynamodb/execution-table.js';
import { depsFromEnv } from '../../functions/audit-forwarder/deps.js';
import { ConfigError } from '../../functions/core/errors.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/aws/dynamodb-local.js';
import { type DataStorage, startDataStorage } from '../../local/datastorage/server.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryDeadLetters } from '../fakes/memory-dead-letters.js';
import { completedEvent, executionOf, failedEvent, startedEvent } from '../fixtures/audit-events.js';
import {
  changeRecord,
  outboxRecord,
  sequenceNumber,
  streamEvent,
} from '../fixtures/dynamodb-stream-events.js';
import { createTestTable } from '../setup/dynamodb.js';
import { captureConsole, forwarderHarness } from './harness.js';

let ds: DataStorage;
let logs: ReturnType<typeof captureConsole>;
beforeAll(async () => {
  ds = await startDataStorage();
});
afterAll(async () => {
  await ds?.close();
});
afterEach(() => {
  logs?.restore();
  ds.faults.clear();
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

async function readBack(params: Record<string, string>) {
  const res = await fetch(`${ds.url}/api/v1/audit/events?${new URLSearchParams(params)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Record<string, unknown>[] }).data;
}

describe('audit-forwarder handler', () => {
  it('persists started, completed and failed events with their exact fields (SPEC WE-9)', async () => {
    logs = captureConsole();
    const start = minutesAgo(30);
    const byLabel = { name: 'we-rr-label-1', labels: { 'kubernaut.ai/correlation-id': 'corr-label-1' } };
    const byParent = { name: 'we-rr-parent-1', namespace: 'payment', remediationRequest: 'rr-parent-1' };
    const byName = { name: 'we-rr-name-1' };
    const events = [
      startedEvent(byLabel, start),
      completedEvent(byLabel, start),
      startedEvent(byParent, start),
      failedEvent(byParent, start),
      startedEvent(byName, start),
      completedEvent(byName, start),
    ];
    const { invoke } = forwarderHarness({ dataStorage: ds });
    const result = await invoke(streamEvent(events.map((e, i) => outboxRecord(e, i))));
    expect(result).toEqual({ batchItemFailures: [] });

    const label = await readBack({ event_category: 'workflow', correlation_id: 'corr-label-1' });
    expect(label.map((e) => e.event_type)).toEqual(['workflow.completed', 'workflow.started']);
    expect(label[1]).toMatchObject({
      version: '1.0',
      event_type: 'workflow.started',
      event_category: 'workflow',
      event_action: 'started',
      event_outcome: 'success',
      actor_type: 'service',
      actor_id: 'workflowexecution-controller',
      resource_type: 'WorkflowExecution',
      resource_id: 'we-rr-label-1',
      correlation_id: 'corr-label-1',
      namespace: 'default',
      event_data: {
        workflow_id: 'test-workflow',
        workflow_version: 'v1.0.0',
        target_resource: 'default/deployment/test-app',
        phase: 'Running',
        container_image: 'ghcr.io/kubernaut/workflows/test@sha256:abc123',
        execution_name: 'we-rr-label-1',
        started_at: start.toISOString(),
        pipelinerun_name: 'wfe-196200272a2c85fd',
      },
    });
    expect(label[0]).toMatchObject({
      event_action: 'completed',
      event_outcome: 'success',
      event_data: { phase: 'Completed', completed_at: expect.any(String), duration: '1m5s' },
    });

    const parent = await readBack({ event_category: 'workflow', correlation_id: 'rr-parent-1' });
    expect(parent.map((e) => [e.event_type, e.event_action, e.event_outcome])).toEqual([
      ['workflow.failed', 'failed', 'failure'],
      ['workflow.started', 'started', 'success'],
    ]);
    expect(parent[0]).toMatchObject({
      resource_id: 'we-rr-parent-1',
      namespace: 'payment',
      event_data: {
        phase: 'Failed',
        failure_reason: 'TaskFailed',
        failure_message: 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0',
        failed_task_name: 'wfe-196200272a2c85fd-fail-task',
        duration: '1m5s',
      },
    });

    const name = await readBack({ event_category: 'workflow', correlation_id: 'we-rr-name-1' });
    expect(name.map((e) => e.event_type)).toEqual(['workflow.completed', 'workflow.started']);
    expect(name[0]!.event_data).not.toHaveProperty('failure_reason');

    const started = await readBack({ event_type: 'workflow.started', correlation_id: 'we-rr-name-1' });
    expect(started).toHaveLength(1);
  });

  it('keeps a lifecycle in order, and skips the table’s other changes', async () => {
    logs = captureConsole();
    const before = ds.events.length;
    const start = minutesAgo(20);
    const options = { name: 'we-order-1' };
    const execution = executionOf(options, { phase: 'Running', conditions: {} });
    const records: DynamoDBRecord[] = [
      changeRecord(
        'INSERT',
        { pk: 'EXEC#default/we-order-1', sk: 'STATE', kind: 'execution', status: execution.status },
        0,
      ),
      outboxRecord(startedEvent(options, start), 1),
      changeRecord('MODIFY', { pk: 'EXEC#default/we-order-1', sk: 'STATE', kind: 'execution' }, 2),
      changeRecord('INSERT', { pk: 'LOCK#default#x', sk: 'LOCK', kind: 'lock' }, 3),
      outboxRecord(completedEvent(options, start), 4),
      changeRecord('REMOVE', { pk: 'LOCK#default#x', sk: 'LOCK' }, 5),
    ];
    const { invoke } = forwarderHarness({ dataStorage: ds });
    expect(await invoke(streamEvent(records))).toEqual({ batchItemFailures: [] });
    expect(ds.events.slice(before).map((e) => e.event_type)).toEqual([
      'workflow.started',
      'workflow.completed',
    ]);
  });

  it('reports the first undelivered record as the only batch item failure when DataStorage stays down', async () => {
    logs = captureConsole();
    ds.faults.databaseError();
    const events = [0, 1, 2].map((i) => startedEvent({ name: `we-down-${i}` }, minutesAgo(5)));
    const { invoke, sleeps } = forwarderHarness({ dataStorage: ds, budgetMs: 20_000 });
    const result = await invoke(streamEvent(events.map((e, i) => outboxRecord(e, 10 + i))));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceNumber(10) }] });
    expect(sleeps.length).toBeGreaterThan(2);
    expect(logs.lines.some((l) => l.includes('audit delivery stopped; the stream retries from here'))).toBe(
      true,
    );
  });

  it('retries a POST that timed out, and the event is stored once', async () => {
    logs = captureConsole();
    const before = ds.requests.length;
    ds.faults.slow(900, { times: 1 });
    const event = startedEvent({ name: 'we-timeout-1' }, minutesAgo(3));
    const { invoke, sleeps } = forwarderHarness({ dataStorage: ds, requestTimeoutMs: 500 });
    expect(await invoke(streamEvent([outboxRecord(event, 0)]))).toEqual({ batchItemFailures: [] });
    expect(ds.requests.slice(before).map((r) => r.fault ?? r.status)).toEqual(['slow', 201]);
    expect(sleeps).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await readBack({ correlation_id: 'we-timeout-1' })).toHaveLength(1);
  });

  it('sends the bearer token when configured and never logs it', async () => {
    const secured = await startDataStorage({ token: 'tok-5ecr3t-value' });
    logs = captureConsole();
    try {
      const tokens = ['tok-stale-0ld-value', 'tok-5ecr3t-value'];
      const { invoke } = forwarderHarness({
        dataStorage: secured,
        token: async () => tokens.shift()!,
        budgetMs: 30_000,
      });
      const event = startedEvent({ name: 'we-token-1' }, minutesAgo(2));
      const result = await invoke(streamEvent([outboxRecord(event, 0)]));
      expect(result).toEqual({ batchItemFailures: [] });
      expect(secured.requests.map((r) => [r.status, r.headers.authorization])).toEqual([
        [401, 'Bearer tok-stale-0ld-value'],
        [201, 'Bearer tok-5ecr3t-value'],
      ]);
      expect(logs.lines.length).toBeGreaterThan(0);
      for (const line of logs.lines) {
        expect(line).not.toContain('tok-5ecr3t-value');
        expect(line).not.toContain('tok-stale-0ld-value');
      }
    } finally {
      await secured.close();
    }
  });

  it('dead-letters a stream record without an image, with the reason', async () => {
    logs = captureConsole();
    const deadLetters = new MemoryDeadLetters();
    const record = changeRecord('INSERT', { pk: 'EXEC#default/we-keys', sk: 'AUDIT#x' }, 0);
    delete record.dynamodb!.NewImage;
    const { invoke } = forwarderHarness({ dataStorage: ds, deadLetters });
    expect(await invoke(streamEvent([record]))).toEqual({ batchItemFailures: [] });
    expect(deadLetters.entries).toEqual([
      {
        record: expect.objectContaining({ SequenceNumber: sequenceNumber(0) }),
        reason: 'stream record could not be decoded: the record carries no new image',
      },
    ]);
  });

  it('dead-letters an audit image that decodes to values JSON cannot carry, so it cannot block the shard', async () => {
    logs = captureConsole();
    const deadLetters = new MemoryDeadLetters();
    const event = startedEvent({ name: 'we-bigint' }, minutesAgo(2));
    const record = outboxRecord(event, 0);
    // Not something wfe writes, but a hand edit can: a number beyond the safe integer range (the
    // SDK decodes it to a BigInt, which neither the DataStorage POST nor the dead-letter message can encode).
    const image = record.dynamodb!.NewImage!;
    image.event!.M!.event_data!.M!.retries = { N: '123456789012345678901' };
    const { invoke } = forwarderHarness({ dataStorage: ds, deadLetters });
    expect(
      await invoke(streamEvent([record, outboxRecord(startedEvent({ name: 'we-next' }, minutesAgo(1)), 1)])),
    ).toEqual({
      batchItemFailures: [],
    });
    expect(deadLetters.entries).toEqual([
      {
        record: expect.objectContaining({ SequenceNumber: sequenceNumber(0) }),
        reason:
          "stream record could not be decoded: event.event_data.retries is a number beyond JavaScript's safe integer range (123456789012345678901)",
      },
    ]);
  });

  it('fails at start-up naming the missing variable', () => {
    expect(() => depsFromEnv({})).toThrow(ConfigError);
    expect(() => depsFromEnv({ AUDIT_DLQ_URL: 'http://sqs/q' })).toThrow(/DATASTORAGE_URL/);
    expect(() =>
      depsFromEnv({ DATASTORAGE_URL: 'http://ds', AUDIT_DLQ_URL: 'http://sqs/q', AUDIT_BATCH_SIZE: '5000' }),
    ).toThrow(/AUDIT_BATCH_SIZE/);
  });

  it('forwards the outbox as DynamoDB Local’s own stream carries it', async () => {
    logs = captureConsole();
    const table = await createTestTable('wfe-audit-stream');
    const clock = fixedClock(minutesAgo(10));
    const store = executionTable(table.tableName, clock, table.doc);
    const options = { name: 'we-stream-1', labels: { 'kubernaut.ai/correlation-id': 'corr-stream-1' } };
    const start = clock.now();
    const execution = executionOf(options, {
      phase: 'Running',
      startTime: start.toISOString(),
      conditions: {},
    });
    expect(
      await store.write({
        executions: [{ next: execution, expectVersion: 0 }],
        audit: [startedEvent(options, start)],
      }),
    ).toEqual({ ok: true });
    expect(
      await store.write({
        executions: [
          { next: { ...execution, status: { ...execution.status, phase: 'Completed' } }, expectVersion: 1 },
        ],
        audit: [completedEvent(options, start)],
      }),
    ).toEqual({ ok: true });

    const streams = new DynamoDBStreamsClient({
      endpoint: table.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const described = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    const streamArn = described.Table!.LatestStreamArn!;
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn })))
      .StreamDescription!.Shards!;
    const raw: _Record[] = [];
    for (const shard of shards) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      raw.push(...((await streams.send(new GetRecordsCommand({ ShardIterator }))).Records ?? []));
    }
    streams.destroy();
    table.client.destroy();
    // The SDK gives a Date where Lambda gives epoch seconds; otherwise the records are Lambda's.
    const records = raw.map(
      (r): DynamoDBRecord =>
        ({
          ...r,
          dynamodb: {
            ...r.dynamodb,
            ApproximateCreationDateTime: Math.floor(
              (r.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0) / 1000,
            ),
          },
        }) as DynamoDBRecord,
    );
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'INSERT', 'MODIFY', 'INSERT']);

    const { invoke } = forwarderHarness({ dataStorage: ds });
    expect(await invoke(streamEvent(records))).toEqual({ batchItemFailures: [] });
    const trail = await readBack({ event_category: 'workflow', correlation_id: 'corr-stream-1' });
    expect(trail.map((e) => e.event_type)).toEqual(['workflow.completed', 'workflow.started']);
  });
});
