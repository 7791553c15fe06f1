/**
 * Property-based tests (fast-check) over the event shapes the handlers receive (SPEC §6): SQS
 * batches of any bodies into `execute`, DynamoDB stream batches of any records into
 * `audit-forwarder`. Whatever arrives, the handler returns (never throws) and no record is lost:
 * each ends where it belongs, or is handed back to Lambda to retry.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditItem, type Item } from '../../functions/adapters/dynamodb/items.js';
import { createHandler as createForwarder } from '../../functions/audit-forwarder/handler.js';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { createHandler as createExecute } from '../../functions/execute/handler.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryDeadLetters } from '../fakes/memory-dead-letters.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { RecordingQueue } from '../fakes/recorders.js';
import { ScriptedAuditSink } from '../fakes/scripted-audit-sink.js';
import { completedEvent, failedEvent, startedEvent } from '../fixtures/audit-events.js';
import { changeRecord, sequenceNumber, streamEvent } from '../fixtures/dynamodb-stream-events.js';
import { sqsEvent, sqsRecord } from '../fixtures/events.js';
import { manifest } from '../fixtures/manifests.js';
import { lambdaContext } from '../setup/engines.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const quiet = (service: string) => {
  const logger = new Logger({ serviceName: service, logLevel: 'CRITICAL' });
  return { logger, metrics: new Metrics({ namespace: 'wfe-fuzz', serviceName: service, logger }) };
};

/** Any text, with the shapes that probe a JSON reader: empty, truncated, nested, huge, binary. */
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '',
    ' ',
    '{',
    '[]',
    'null',
    '{"metadata":null}',
    '{"spec":{}}',
    `{"a":"${'x'.repeat(300_000)}"}`,
  ),
);

/** A request body: valid (a few names and targets, so they collide), a mangled one, or any text. */
const requestBody = fc.oneof(
  fc
    .record({
      name: fc.constantFrom('we-a', 'we-b', 'we-c'),
      target: fc.constantFrom('default/deployment/app-1', 'default/deployment/app-2'),
      workflowId: fc.constantFrom('restart', 'scale'),
    })
    .map((o) => JSON.stringify(manifest(o))),
  fc
    .tuple(fc.constantFrom('metadata', 'spec', 'apiVersion', 'kind'), fc.jsonValue())
    .map(([field, value]) => JSON.stringify({ ...manifest({ name: 'we-m' }), [field]: value })),
  anyText,
);

const identityOf = (body: string): string | undefined => {
  try {
    const m = (JSON.parse(body) as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
    return typeof m?.name === 'string' && typeof m.namespace === 'string'
      ? executionKey({ cluster: 'default', namespace: m.namespace, name: m.name })
      : undefined;
  } catch {
    return undefined;
  }
};

describe('fuzzing the SQS batches execute receives (SPEC §6)', () => {
  it('every message ends as an execution, a dead letter, or a batch item failure; the handler never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(requestBody, { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { maxLength: 20 }),
        async (bodies, faults) => {
          const store = new MemoryStore();
          const cluster = new MemoryCluster();
          const queue = new RecordingQueue();
          // The cluster answers 503 on some calls: those messages must come back as failures.
          let call = 0;
          cluster.fault = () => {
            if (faults[call++ % Math.max(1, faults.length)]) throw new ClusterUnavailableError('503', 503);
          };
          const handler = createExecute({
            store,
            clusters: () => cluster,
            queue,
            clock: fixedClock(),
            settings: {
              clusters: [{ name: 'default', namespace: 'kubernaut-workflows' }],
              serviceAccountName: 'kubernaut-workflow-runner',
              defaultCluster: 'default',
              cooldownMs: 10_000,
              leaseMs: 900_000,
            },
            ...quiet('execute'),
          });
          const records = bodies.map((b, i) => sqsRecord(b, `m-${i}`));

          const out = await handler(sqsEvent(...records), lambdaContext('wfe-execute'));

          const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
          for (const id of failed) expect(records.map((r) => r.messageId)).toContain(id);
          const deadLettered = new Set(queue.deadLettered.map((d) => d.body));
          const deferred = new Set(queue.deferred.map((d) => d.body));
          for (const record of records) {
            if (failed.has(record.messageId)) continue; // Lambda retries it, then the DLQ
            const key = identityOf(record.body);
            const execution = key === undefined ? undefined : store.executions.get(key);
            const about = `message ${record.messageId}: ${record.body.slice(0, 200)}`;
            expect(execution !== undefined || deadLettered.has(record.body), `lost ${about}`).toBe(true);
            // A message deleted while its execution is still Pending must have been re-sent.
            if (execution?.status.phase === 'Pending' && !deadLettered.has(record.body))
              expect(deferred.has(record.body), `left Pending ${about}`).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

const START = new Date('2026-03-01T12:00:00Z');
const eventBuilders = [startedEvent, completedEvent, failedEvent];

/** Any JSON value a writer could store (DynamoDB numbers are limited to safe integers by the SDK). */
const storable = fc.jsonValue().filter((value) => {
  try {
    marshall({ value });
    return true;
  } catch {
    return false;
  }
});

type Shape =
  | { kind: 'INSERT' | 'MODIFY' | 'REMOVE'; item: Record<string, unknown> }
  | { kind: 'raw'; image: Record<string, unknown> | null };

/** One stream record of the state table, or one of the shapes a stream should never carry. */
const streamRecord: fc.Arbitrary<Shape> = fc.oneof(
  // An outbox INSERT, as execute and reconcile write it.
  fc
    .tuple(fc.nat(eventBuilders.length - 1), fc.nat(50))
    .map(
      ([b, n]): Shape => ({ kind: 'INSERT', item: auditItem(eventBuilders[b]!({ name: `we-${n}` }, START)) }),
    ),
  // An outbox INSERT whose event has one field replaced: DataStorage's contract decides.
  fc
    .tuple(
      fc.constantFrom('event_type', 'event_timestamp', 'correlation_id', 'event_data', 'version'),
      storable,
    )
    .map(([field, value]): Shape => {
      const item = auditItem(startedEvent({ name: 'we-mangled' }, START));
      return { kind: 'INSERT', item: { ...item, event: { ...(item.event as object), [field]: value } } };
    }),
  // Other items of the table, and changes that are not INSERTs.
  fc
    .constantFrom('execution', 'lock', undefined)
    .map((kind): Shape => ({ kind: 'INSERT', item: { pk: 'x', sk: 'y', kind } })),
  fc
    .constantFrom('MODIFY' as const, 'REMOVE' as const)
    .map((kind): Shape => ({ kind, item: auditItem(startedEvent({ name: 'we-changed' }, START)) })),
  // Images no writer of ours produces: any attribute map, or none.
  fc
    .option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }))
    .map((image): Shape => ({ kind: 'raw', image })),
  // An audit image that the SDK refuses to decode (a number beyond its safe range).
  fc.constant<Shape>({
    kind: 'raw',
    image: { kind: { S: 'audit' }, event: { M: { version: { N: '-9007199254740993' } } } },
  }),
);

function toRecord(shape: Shape, i: number): DynamoDBRecord {
  if (shape.kind !== 'raw') return changeRecord(shape.kind, shape.item as Item, i);
  const record = changeRecord('INSERT', { pk: 'x', sk: 'y' }, i);
  const stream = record.dynamodb!;
  if (shape.image === null) delete stream.NewImage;
  else stream.NewImage = shape.image as NonNullable<typeof stream.NewImage>;
  return record;
}

const count = (values: string[]) => {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
};

/** What the forwarder owes a record: an audit INSERT, or an INSERT it cannot read, must not vanish. */
function owed(record: DynamoDBRecord): { event: string } | 'unreadable' | 'nothing' {
  if (record.eventName !== 'INSERT') return 'nothing';
  const image = record.dynamodb?.NewImage;
  if (!image) return 'unreadable';
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image as Record<string, AttributeValue>);
  } catch {
    return 'unreadable';
  }
  if (item.kind !== 'audit') return 'nothing';
  // It travels as JSON: an image JSON cannot carry (BigInt, sets, binary) can only be parked raw.
  const carried = (_: string, v: unknown) => {
    if (v instanceof Set || ArrayBuffer.isView(v)) throw new TypeError('not JSON');
    return v;
  };
  try {
    JSON.stringify(item, carried);
  } catch {
    return 'unreadable';
  }
  return { event: JSON.stringify(item.event) };
}

describe('fuzzing the stream batches audit-forwarder receives (SPEC §6)', () => {
  it('every audit record is delivered once or dead-lettered, other changes are left alone; the handler never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(streamRecord, { minLength: 1, maxLength: 25 }),
        fc.nat(3),
        async (generated, outage) => {
          const records = generated.map((g, i) => toRecord(g, i));
          const sink = new ScriptedAuditSink();
          sink.unavailable = outage; // a few 500s, absorbed by the retries within the invocation
          // DataStorage refuses events of one correlation id: they must be parked, the rest delivered.
          sink.refuse = (event) => (event.correlation_id === 'we-7' ? 'refused by the fuzz' : undefined);
          const deadLetters = new MemoryDeadLetters();
          const clock = fixedClock(START);
          const handler = createForwarder({
            sink,
            deadLetters,
            clock,
            sleep: async (ms) => clock.advance(ms),
            random: () => 0.5,
            settings: { batchSize: 10, requestTimeoutMs: 5_000 },
            ...quiet('audit-forwarder'),
          });

          const out = await handler(streamEvent(records), lambdaContext('wfe-audit-forwarder', 300_000));

          expect(out.batchItemFailures).toEqual([]);
          const owedEvents: string[] = [];
          const parkedRaw = deadLetters.entries.map(
            (e) => (e.record as { SequenceNumber?: string } | undefined)?.SequenceNumber,
          );
          for (const [i, record] of records.entries()) {
            const owes = owed(record);
            if (owes === 'unreadable') expect(parkedRaw, `record ${i}`).toContain(sequenceNumber(i));
            else if (owes !== 'nothing') owedEvents.push(owes.event);
          }
          // Each owed event exactly as often as it was owed, delivered or parked: nothing lost,
          // nothing twice, nothing that was not owed.
          const delivered = count(sink.delivered.map((e) => JSON.stringify(e)));
          const parked = count(
            deadLetters.entries.filter((e) => e.event).map((e) => JSON.stringify(e.event)),
          );
          for (const [event, times] of count(owedEvents))
            expect((delivered.get(event) ?? 0) + (parked.get(event) ?? 0), event.slice(0, 200)).toBe(times);
          for (const event of [...delivered.keys(), ...parked.keys()]) expect(owedEvents).toContain(event);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
