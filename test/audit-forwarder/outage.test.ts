import { afterEach, describe, expect, it } from 'vitest';
import { dataStorageAuditClient } from '../../functions/adapters/datastorage/audit-client.js';
import { redriveAudit } from '../../functions/core/redrive-audit.js';
import { type DataStorage, startDataStorage } from '../../local/datastorage/server.js';
import { MemoryDeadLetters } from '../fakes/memory-dead-letters.js';
import { StreamShard } from '../fakes/stream-shard.js';
import { eventKey, manyEvents } from '../fixtures/audit-events.js';
import { outboxRecord } from '../fixtures/dynamodb-stream-events.js';
import { captureConsole, forwarderHarness } from './harness.js';

let ds: DataStorage | undefined;
let logs: ReturnType<typeof captureConsole> | undefined;
afterEach(async () => {
  logs?.restore();
  await ds?.close();
});

/** Sent, delivered, duplicated, dead-lettered and lost, counted from what DataStorage stored. */
function tally(sent: string[], stored: string[], deadLettered: number) {
  const unique = new Set(stored);
  return {
    sent: sent.length,
    delivered: unique.size,
    duplicated: stored.length - unique.size,
    deadLettered,
    lost: sent.filter((k) => !unique.has(k)).length - deadLettered,
  };
}

describe('audit forwarding through a DataStorage outage (SPEC §6)', () => {
  it('delivers every event, in order, none lost, after 500s for 3 consecutive invocations', async () => {
    ds = await startDataStorage();
    const sent = manyEvents(600, new Date(Date.now() - 12 * 60_000), 'we-outage');
    const shard = new StreamShard(sent.map((e, i) => outboxRecord(e, i)));
    const deadLetters = new MemoryDeadLetters();
    const { invoke, sleeps } = forwarderHarness({
      dataStorage: ds,
      deadLetters,
      batchSize: 100,
      budgetMs: 30_000,
    });
    logs = captureConsole();

    const checkpoints: number[] = [];
    while (!shard.drained && shard.invocations < 50) {
      ds.faults.clear();
      if (shard.invocations < 3) ds.faults.databaseError();
      await shard.invoke(invoke, 250);
      checkpoints.push(shard.checkpoint);
    }
    logs.restore();

    const figures = tally(sent.map(eventKey), ds.events.map(eventKey), deadLetters.entries.length);
    const refused = ds.requests.filter((r) => r.status === 500).length;
    console.info(
      `outage: sent ${figures.sent}, delivered ${figures.delivered}, duplicated ${figures.duplicated}, dead-lettered ${figures.deadLettered}, lost ${figures.lost}; ${shard.invocations} invocations, ${refused} POSTs answered 500, ${sleeps.length} backoff waits (${sleeps.reduce((a, b) => a + b, 0)} ms of fake time)`,
    );

    expect(checkpoints.slice(0, 3)).toEqual([0, 0, 0]);
    expect(figures).toEqual({ sent: 600, delivered: 600, duplicated: 0, deadLettered: 0, lost: 0 });
    expect(ds.events.map(eventKey)).toEqual(sent.map(eventKey));
  });

  it('rides out dropped connections, 429s and a 500 within one invocation', async () => {
    ds = await startDataStorage();
    ds.faults
      .dropConnection({ times: 2 })
      .tooManyRequests({ times: 2, retryAfterSeconds: 2 })
      .databaseError({ times: 1 });
    const sent = manyEvents(50, new Date(Date.now() - 10 * 60_000), 'we-flaky');
    const deadLetters = new MemoryDeadLetters();
    const { invoke, sleeps } = forwarderHarness({
      dataStorage: ds,
      deadLetters,
      batchSize: 25,
    });
    logs = captureConsole();
    const shard = new StreamShard(sent.map((e, i) => outboxRecord(e, i)));
    await shard.invoke(invoke, 100);
    logs.restore();

    expect(shard.drained).toBe(true);
    expect(ds.requests.map((r) => r.fault ?? r.status)).toEqual([
      'drop-connection',
      'drop-connection',
      'too-many-requests',
      'too-many-requests',
      'database-error',
      201,
      201,
    ]);
    // Backoff doubles from 200 ms (jitter fixed at ¾); Retry-After: 2 lifts the 429 waits to 2 s.
    expect(sleeps).toEqual([150, 300, 2000, 2000, 2400]);
    expect(tally(sent.map(eventKey), ds.events.map(eventKey), deadLetters.entries.length)).toEqual({
      sent: 50,
      delivered: 50,
      duplicated: 0,
      deadLettered: 0,
      lost: 0,
    });
  });

  it('counts the possible duplicates when DataStorage stores a batch and the answer is lost, and resends that batch only', async () => {
    ds = await startDataStorage();
    ds.faults.storeThenDrop({ times: 2 });
    const sent = manyEvents(100, new Date(Date.now() - 10 * 60_000), 'we-lost-answer');
    const deadLetters = new MemoryDeadLetters();
    const { invoke } = forwarderHarness({ dataStorage: ds, deadLetters, batchSize: 25 });
    logs = captureConsole();
    const shard = new StreamShard(sent.map((e, i) => outboxRecord(e, i)));
    await shard.invoke(invoke, 100);
    logs.restore();

    expect(shard.drained).toBe(true);
    const figures = tally(sent.map(eventKey), ds.events.map(eventKey), deadLetters.entries.length);
    const counted = logs.lines
      .filter((l) => l.includes('audit batch forwarded'))
      .reduce((sum, l) => sum + (JSON.parse(l) as { possiblyDuplicated: number }).possiblyDuplicated, 0);
    console.info(
      `store, then drop the answer (2 POSTs): sent ${figures.sent}, delivered ${figures.delivered}, duplicated ${figures.duplicated}, counted as possibly duplicated ${counted}, dead-lettered ${figures.deadLettered}, lost ${figures.lost}`,
    );
    // Each lost answer costs one resend of its own batch (25 events), never more: the first batch
    // is stored three times, the others once.
    expect(ds.requests.map((r) => r.fault ?? r.status)).toEqual([
      'store-then-drop',
      'store-then-drop',
      201,
      201,
      201,
      201,
    ]);
    expect(figures).toEqual({ sent: 100, delivered: 100, duplicated: 50, deadLettered: 0, lost: 0 });
    expect(counted).toBe(figures.duplicated);
  });

  it('parks what has waited past the give-up age while DataStorage is down, and a redrive delivers it', async () => {
    ds = await startDataStorage();
    ds.faults.databaseError();
    const sent = manyEvents(40, new Date(Date.now() - 10 * 60_000), 'we-long-outage');
    const shard = new StreamShard(sent.map((e, i) => outboxRecord(e, i)));
    const deadLetters = new MemoryDeadLetters();
    const { invoke, clock } = forwarderHarness({ dataStorage: ds, deadLetters, budgetMs: 60_000 });
    logs = captureConsole();
    // The stream keeps retrying; each retry comes a minute later on the fake clock.
    while (!shard.drained && shard.invocations < 100) {
      await shard.invoke(invoke, 100);
      clock.advance(60_000);
    }
    logs.restore();
    expect(shard.drained).toBe(true);
    expect(ds.events).toEqual([]);
    expect(deadLetters.entries.map((e) => e.event)).toEqual(sent);
    expect(deadLetters.entries[0]!.reason).toMatch(
      /^DataStorage unavailable for the \d+m\d+s this record has waited in the stream: DataStorage answered 500: Failed to write audit events batch to database$/,
    );

    ds.faults.clear();
    const report = await redriveAudit({
      queue: deadLetters,
      sink: dataStorageAuditClient({ url: ds.url, timeoutMs: 10_000 }),
    });
    const figures = tally(sent.map(eventKey), ds.events.map(eventKey), deadLetters.messages.length);
    console.info(
      `long outage: ${shard.invocations} invocations before the give-up age, ${sent.length} parked; redrive delivered ${report.delivered}; sent ${figures.sent}, delivered ${figures.delivered}, duplicated ${figures.duplicated}, still parked ${figures.deadLettered}, lost ${figures.lost}`,
    );
    expect(report).toEqual({ delivered: 40, failed: [], remaining: 0 });
    expect(figures).toEqual({ sent: 40, delivered: 40, duplicated: 0, deadLettered: 0, lost: 0 });
    expect(ds.events.map(eventKey)).toEqual(sent.map(eventKey));
  });
});
