import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataStorageAuditClient } from '../../functions/adapters/datastorage/audit-client.js';
import { sqsAuditDeadLetters } from '../../functions/adapters/sqs/audit-dead-letters.js';
import { sqsAuditDeadLetterQueue } from '../../functions/adapters/sqs/audit-dlq-reader.js';
import { redriveAudit } from '../../functions/core/redrive-audit.js';
import { type DataStorage, startDataStorage } from '../../local/datastorage/server.js';
import { fixedClock } from '../fakes/clock.js';
import { eventKey, manyEvents, startedEvent } from '../fixtures/audit-events.js';
import { outboxRecord, sequenceNumber, streamEvent } from '../fixtures/dynamodb-stream-events.js';
import { type LocalSqs, startLocalSqs } from '../setup/local-sqs.js';
import { captureConsole, forwarderHarness } from './harness.js';

let sqs: LocalSqs;
let ds: DataStorage;
const now = new Date();
const dataStorageClock = fixedClock(now);

beforeAll(async () => {
  sqs = await startLocalSqs();
  ds = await startDataStorage({ clock: dataStorageClock });
});
afterAll(async () => {
  await ds?.close();
  await sqs?.close();
});

describe('a poison audit event (SPEC §6)', () => {
  it('is isolated in the DLQ with DataStorage’s reason while the other 999 arrive; redrive delivers it once the fault clears', async () => {
    const dlqUrl = await sqs.createQueue('wfe-audit-dlq');
    // One writer's clock ran 10 minutes fast: DataStorage refuses its event as from the future,
    // and so the whole batch it travels in.
    const batch = manyEvents(999, new Date(now.getTime() - 20 * 60_000), 'we-poison-batch');
    const poison = startedEvent({ name: 'we-poison-skewed' }, new Date(now.getTime() + 10 * 60_000));
    batch.splice(537, 0, poison);

    const { invoke } = forwarderHarness({
      dataStorage: ds,
      deadLetters: sqsAuditDeadLetters(sqs.client, dlqUrl),
      clock: fixedClock(now),
    });
    const logs = captureConsole();
    const result = await invoke(streamEvent(batch.map((e, i) => outboxRecord(e, i))));
    logs.restore();

    expect(result).toEqual({ batchItemFailures: [] });
    const good = batch.filter((e) => e !== poison);
    expect(ds.events.map(eventKey)).toEqual(good.map(eventKey));
    const requests = ds.requests.length;
    console.info(
      `poison: 999 of 1000 delivered in order, 1 dead-lettered, isolated with ${requests} requests`,
    );

    const queue = sqsAuditDeadLetterQueue(sqs.client, dlqUrl, { waitTimeSeconds: 0 });
    const [parked, ...others] = await queue.receive(10);
    expect(others).toEqual([]);
    expect(parked!.entry).toEqual({
      event: poison,
      record: expect.objectContaining({
        kind: 'audit',
        sk: `AUDIT#${poison.event_timestamp}#workflow.started`,
      }),
      reason: expect.stringMatching(
        /^DataStorage refused the event \(400\): event at index 0: invalid timestamp: timestamp is in the future \(server time: .+, event time: .+\)$/,
      ),
      problem: {
        type: 'https://kubernaut.ai/problems/validation-error',
        title: 'Validation Error',
        status: 400,
        detail: expect.stringContaining('timestamp is in the future'),
      },
    });
    await queue.release([parked!]);
    expect(
      logs.lines.some((l) => l.includes('audit record dead-lettered') && l.includes(sequenceNumber(537))),
    ).toBe(true);

    const sink = dataStorageAuditClient({ url: ds.url, timeoutMs: 5000 });
    // While DataStorage's clock is still behind, a redrive leaves it where it is, saying why.
    expect(await redriveAudit({ queue, sink })).toEqual({
      delivered: 0,
      failed: [{ id: parked!.id, reason: expect.stringContaining('timestamp is in the future') }],
      remaining: 1,
    });

    dataStorageClock.advance(15 * 60_000);
    expect(await redriveAudit({ queue, sink })).toEqual({ delivered: 1, failed: [], remaining: 0 });
    expect(ds.events).toHaveLength(1000);
    expect(ds.events.at(-1)).toMatchObject({
      resource_id: 'we-poison-skewed',
      event_type: 'workflow.started',
    });
  });
});
