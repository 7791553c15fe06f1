import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataStorage, startDataStorage } from '../../local/datastorage/server.js';
import { StreamShard } from '../fakes/stream-shard.js';
import { manyEvents } from '../fixtures/audit-events.js';
import { outboxRecord } from '../fixtures/dynamodb-stream-events.js';
import { captureConsole, forwarderHarness } from './harness.js';

const EVENTS = 20_000;
const STREAM_BATCH = 1000;

let ds: DataStorage;
beforeAll(async () => {
  ds = await startDataStorage();
});
afterAll(async () => {
  await ds?.close();
});

describe('audit forwarder throughput (SPEC §7)', () => {
  it('measures events forwarded per second against the local DataStorage, beside a bare POST', async () => {
    const sent = manyEvents(EVENTS, new Date(Date.now() - 6 * 3600_000), 'we-perf');
    const shard = new StreamShard(sent.map((e, i) => outboxRecord(e, i)));
    const { invoke } = forwarderHarness({ dataStorage: ds });

    const logs = captureConsole();
    const started = performance.now();
    while (!shard.drained) await shard.invoke(invoke, STREAM_BATCH);
    const seconds = (performance.now() - started) / 1000;
    logs.restore();

    expect(ds.events.length).toBe(EVENTS);
    // Baseline, measured after the run so both are warm: the same batch size posted directly,
    // with no stream decoding, checks or retries.
    const body = JSON.stringify(sent.slice(0, STREAM_BATCH));
    const rounds = 5;
    const bareStart = performance.now();
    for (let i = 0; i < rounds; i++) {
      const res = await fetch(`${ds.url}/api/v1/audit/events/batch`, { method: 'POST', body });
      expect(res.status).toBe(201);
      await res.arrayBuffer();
    }
    const bare = (rounds * STREAM_BATCH) / ((performance.now() - bareStart) / 1000);

    console.info(
      `throughput: ${Math.round(EVENTS / seconds)} events/s forwarded (${EVENTS} events, ${shard.invocations} invocations of ${STREAM_BATCH}, ${seconds.toFixed(2)} s); bare POST baseline ${Math.round(bare)} events/s`,
    );
  });
});
