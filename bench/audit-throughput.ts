/**
 * §7 throughput of the audit forwarder: audit events forwarded per second through the real handler
 * (stream records decoded, checked, posted by the DataStorage client) to the local DataStorage;
 * beside the raw baseline, a bare HTTP POST of the same batch size to the same DataStorage, with
 * the body already serialised (the floor: only HTTP and DataStorage's own work).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { auditItem } from '../functions/adapters/dynamodb/items.js';
import { depsFromEnv } from '../functions/audit-forwarder/deps.js';
import { createHandler } from '../functions/audit-forwarder/handler.js';
import { type AuditEventRequest, AuditEventType, auditEvent } from '../functions/core/audit-event.js';
import type { Execution } from '../functions/core/execution.js';
import { parseRequest } from '../functions/core/manifest.js';
import { lambdaContext } from '../local/aws/lambda-context.js';
import { startDataStorage } from '../local/datastorage/server.js';
import { DEPLOYED } from '../local/deployed-settings.js';
import type { BenchContext } from './context.js';
import { type Figure, figure, round, type Section } from './figures.js';
import { batches, quiet, requestBody } from './handlers.js';

const BATCH_PATH = '/api/v1/audit/events/batch';

/** `count` workflow.started / workflow.completed events of distinct executions, from the last hour. */
function auditEvents(count: number, prefix: string): AuditEventRequest[] {
  const parsed = parseRequest(requestBody('template', 'payment/Deployment/app'));
  if (!parsed.ok) throw new Error(parsed.reason);
  const start = Date.now() - 3600_000;
  return Array.from({ length: count }, (_, i) => {
    const name = `${prefix}-${Math.floor(i / 2)}`;
    const at = new Date(start + i * 10);
    const execution: Execution = {
      id: { cluster: 'default', namespace: 'payment', name },
      manifest: { ...parsed.manifest, metadata: { ...parsed.manifest.metadata, name } },
      specHash: 'bench',
      target: `payment/Deployment/${name}`,
      status:
        i % 2 === 0
          ? {
              phase: 'Running',
              startTime: at.toISOString(),
              pipelineRunRef: { name: 'wfe-bench' },
              conditions: {},
            }
          : {
              phase: 'Completed',
              startTime: new Date(at.getTime() - 65_000).toISOString(),
              completionTime: at.toISOString(),
              duration: '1m5s',
              pipelineRunRef: { name: 'wfe-bench' },
              conditions: {},
            },
      createdAt: at.toISOString(),
      version: 1,
    };
    return auditEvent(i % 2 === 0 ? AuditEventType.Started : AuditEventType.Completed, execution, at);
  });
}

/** The outbox INSERTs as the DynamoDB stream delivers them to Lambda (NEW_IMAGE). */
function streamRecords(events: AuditEventRequest[]): DynamoDBRecord[] {
  return events.map((event, i) => {
    const item = auditItem(event);
    return {
      eventID: `bench-${i}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.parse(event.event_timestamp) / 1000),
        Keys: { pk: { S: String(item.pk) }, sk: { S: String(item.sk) } },
        NewImage: marshall(item, { removeUndefinedValues: true }) as Record<
          string,
          AttributeValue
        > as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
        SequenceNumber: (10n ** 20n + BigInt(i) * 100n).toString(),
        SizeBytes: 1000,
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/wfe-state/stream/bench',
    };
  });
}

export async function measureAuditThroughput(ctx: BenchContext): Promise<Section> {
  const { auditEvents: count, auditBatchSizes } = ctx.scale.throughput;
  const ds = await startDataStorage();
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  try {
    for (const batchSize of auditBatchSizes) {
      ctx.progress(`audit throughput: ${count} events, batches of ${batchSize}`);
      const events = auditEvents(count + batchSize, `b${batchSize}`);
      const records = streamRecords(events);
      let deadLettered = 0;
      const env = {
        DATASTORAGE_URL: ds.url,
        AUDIT_DLQ_URL: 'http://bench.invalid/wfe-audit-dlq',
        AUDIT_BATCH_SIZE: String(batchSize),
        AUDIT_REQUEST_TIMEOUT: '10s',
      };
      const handler = createHandler(
        depsFromEnv(env, {
          deadLetters: {
            async send(entries) {
              deadLettered += entries.length;
            },
          },
          observability: quiet('audit-forwarder'),
        }),
      );
      const invoke = async (batch: DynamoDBRecord[]) => {
        const event: DynamoDBStreamEvent = { Records: batch };
        const out = await handler(
          event,
          lambdaContext('wfe-audit-forwarder', DEPLOYED.timeoutsMs.auditForwarder, () => false),
        );
        if (out.batchItemFailures.length > 0) throw new Error('the forwarder returned a batch item failure');
      };
      const [warm = [], ...measured] = batches(records, batchSize);
      await invoke(warm);
      const stored = ds.events.length;
      const began = performance.now();
      for (const batch of measured) await invoke(batch);
      const forwarded = count / ((performance.now() - began) / 1000);
      if (ds.events.length - stored !== count || deadLettered > 0)
        throw new Error(
          `DataStorage stored ${ds.events.length - stored} of ${count} events, ${deadLettered} dead-lettered`,
        );

      const bodies = batches(events.slice(batchSize), batchSize).map((b) => JSON.stringify(b));
      const post = async (body: string) => {
        const res = await fetch(`${ds.url}${BATCH_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`bare POST answered ${res.status}`);
      };
      await post(JSON.stringify(events.slice(0, batchSize)));
      const postBegan = performance.now();
      for (const body of bodies) await post(body);
      const posted = count / ((performance.now() - postBegan) / 1000);

      figures.push(
        figure(
          `throughput.audit.batch${batchSize}`,
          `audit events forwarded / s, batches of ${batchSize}`,
          round(forwarded, 0),
          '/s',
          {
            baseline: { label: `bare POST of ${batchSize}`, value: round(posted, 0), unit: '/s' },
            ...(batchSize === DEPLOYED.audit.batchSize ? { note: 'the deployed stream batch size' } : {}),
          },
        ),
      );
      details[`batch${batchSize}`] = {
        forwardedPerSecond: forwarded,
        barePostPerSecond: posted,
        invocations: measured.length,
      };
    }
  } finally {
    await ds.close();
  }
  return {
    id: 'auditThroughput',
    title: `5b. audit-forwarder throughput (${count.toLocaleString('en-US')} events per row, one invocation at a time)`,
    figures,
    notes: [
      'The handler decodes the stream records, checks each event against DataStorage’s contract and posts them with the production client.',
      'Deployed, a stream shard is read by one invocation at a time (ParallelizationFactor 1), so this is per shard.',
    ],
    details,
  };
}
