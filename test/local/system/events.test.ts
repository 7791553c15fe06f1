/**
 * WE-13 end to end on the local system: with the sweep at a minute (RECONCILE_INTERVAL=1m, as
 * deployed), the built-in Tekton simulator's CloudEvents reach the sink, the events function
 * records each run's end within a second or so, and the lock timer frees each lock within seconds
 * of its cooldown. A request with a wrong token gets 404. Prints its figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient, executionTable } from '../../../functions/adapters/dynamodb/execution-table.js';
import { systemClock } from '../../../functions/adapters/system-clock.js';
import type { Execution } from '../../../functions/core/execution.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import { type LocalSystem, startLocalSystem } from '../../../local/system.js';
import { manifest } from '../../fixtures/manifests.js';
import { eventually } from '../aws/eventually.js';

const COOLDOWN_MS = 2000;

describe('WE-13 local system, event-driven', () => {
  let dir: string;
  let system: LocalSystem;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let store: ReturnType<typeof executionTable>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wfe-events-'));
    system = await startLocalSystem({
      env: { COOLDOWN_PERIOD: '2s', WFE_EVENTS_TOKEN: 'e2e-token' },
      reconcileIntervalMs: 60_000,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: `wfe-events-${Date.now()}`,
      runDurationMs: 500,
    });
    const e = system.endpoints;
    const aws = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    sqs = new SQSClient({ ...aws, endpoint: e.sqs.endpoint });
    dynamodb = new DynamoDBClient({ ...aws, endpoint: e.dynamodb.endpoint });
    store = executionTable(e.dynamodb.tableName, systemClock, documentClient(dynamodb));
  });

  afterAll(async () => {
    sqs?.destroy();
    dynamodb?.destroy();
    await system?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends runs and frees locks within seconds, not at the minute’s sweep', async () => {
    const e = system.endpoints;
    expect(e.events.sinkUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tekton\/e2e-token$/);
    const wrong = await fetch(e.events.sinkUrl.replace('e2e-token', 'guess'), { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(404);

    const names = ['we-ev-1', 'we-ev-2', 'we-ev-3'];
    for (const [i, name] of names.entries()) {
      const body = manifest({ name, namespace: 'demo', target: `demo/Deployment/events-${i}` });
      await sqs.send(new SendMessageCommand({ QueueUrl: e.sqs.queueUrl, MessageBody: JSON.stringify(body) }));
    }
    const endDelays: number[] = [];
    const releaseDelays: number[] = [];
    for (const [i, name] of names.entries()) {
      const id = { cluster: 'default', namespace: 'demo', name };
      const ended = (await eventually(async () => {
        const found = await store.read(id);
        expect(found?.status.phase).toBe('Completed');
        return found!;
      }, 20_000)) as Execution;
      endDelays.push((Date.now() - Date.parse(ended.status.completionTime!)) / 1000);
      const key = `default#demo/Deployment/events-${i}`;
      const releaseAt = Date.parse(ended.status.completionTime!) + COOLDOWN_MS;
      await eventually(async () => expect(await store.readLock(key)).toBeUndefined(), 20_000);
      releaseDelays.push((Date.now() - releaseAt) / 1000);
    }
    console.log(
      `event path (sweep every 60 s): end seen ≤ ${Math.max(...endDelays).toFixed(1)} s after completionTime (upper bounds, polled); lock freed ≤ ${Math.max(...releaseDelays).toFixed(1)} s after releaseAt`,
    );
    // Well inside the minute the sweep alone would take.
    expect(Math.max(...releaseDelays)).toBeLessThan(10);
    expect(system.kubeApi?.cloudEvents.counts.failed).toBe(0);
  }, 60_000);
});
