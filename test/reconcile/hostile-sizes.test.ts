/**
 * SPEC WE-15 / §6: a Tekton failure message of 1 MB on a request of the queue's maximum size still
 * ends the execution, cools and releases its lock, and lets the next request for the target start —
 * against DynamoDB Local, whose 400 KB item limit is the one that held targets before.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../functions/core/manifest.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import { createHandler as executeHandler } from '../../functions/execute/handler.js';
import { createHandler as reconcileHandler } from '../../functions/reconcile/handler.js';
import { RecordingQueue } from '../fakes/recorders.js';
import { sqsEvent, sqsRecord } from '../fixtures/events.js';
import { maximumRequest } from '../fixtures/hostile.js';
import { body } from '../fixtures/manifests.js';
import { ENGINE_SETTINGS, type Engines, lambdaContext, quiet, startEngines } from '../setup/engines.js';

const NS = 'kubernaut-workflows';
const TARGET = 'default/deployment/test-app';
const RUN = pipelineRunName(TARGET);
const settings = ENGINE_SETTINGS;

let engines: Engines;
beforeEach(async () => {
  engines = await startEngines();
});
afterEach(async () => {
  await engines.stop();
});

function submit(text: string) {
  const handler = executeHandler({
    store: engines.store,
    clusters: () => engines.cluster,
    queue: new RecordingQueue(),
    clock: engines.clock,
    settings,
    ...quiet('execute'),
  });
  return handler(sqsEvent(sqsRecord(text)), lambdaContext('execute'));
}

const tick = () =>
  reconcileHandler({
    store: engines.store,
    clusters: () => engines.cluster,
    clock: engines.clock,
    settings,
    budget: { pageSize: 100, maxItems: 2000 },
    ...quiet('reconcile'),
  })({}, lambdaContext('reconcile'));

describe('hostile sizes on DynamoDB Local (WE-15, SPEC §6)', () => {
  it('WE-15: a 1 MB Tekton failure message on a maximum-size request ends Failed with the message cut and said so; the lock cools, is released, and the next request starts', async () => {
    const big = maximumRequest('we-big');
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_REQUEST_BYTES - 8);
    expect(Buffer.byteLength(big)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(await submit(big)).toEqual({ batchItemFailures: [] });
    expect(
      (await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-big' }))?.status.phase,
    ).toBe('Running');

    const message = `step failed: ${'E'.repeat(1_048_576)}`;
    engines.kube.simulator.start(NS, RUN);
    engines.kube.simulator.fail(NS, RUN, { message });
    expect(await tick()).toMatchObject({ failed: 1 });

    const failed = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-big' });
    expect(failed?.status.phase).toBe('Failed');
    const details = failed!.status.failureDetails!;
    expect(details.message.length).toBeLessThan(5000);
    expect(details.message).toMatch(/… \[cut 1,044,\d{3} characters\]$/);
    expect(details.naturalLanguageSummary.length).toBeLessThan(6000);
    expect(failed?.status.pipelineRunStatus?.message?.length).toBeLessThan(5000);
    const audit = await engines.table.doc.send(
      new QueryCommand({
        TableName: engines.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': 'EXEC#default/default/we-big', ':audit': 'AUDIT#' },
      }),
    );
    const failedEvent = audit.Items?.map((i) => i.event).find((e) => e.event_type === 'workflow.failed');
    expect(failedEvent?.event_data.failure_message).toBe(details.message);

    const lock = await engines.store.readLock(`default#${TARGET}`);
    expect(lock?.state).toBe('cooling');
    engines.clock.advance(settings.cooldownMs);
    expect(await tick()).toMatchObject({ released: 1 });
    expect(await engines.store.readLock(`default#${TARGET}`)).toBeUndefined();

    expect(await submit(body({ name: 'we-next' }))).toEqual({ batchItemFailures: [] });
    expect(
      (await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-next' }))?.status.phase,
    ).toBe('Running');
  });

  it('WE-15: an invalid request with a 140 KB targetResource ends Failed/ConfigurationError, its target cut and said so', async () => {
    const target = `default/deployment/${'a'.repeat(140 * 1024)}`;
    expect(await submit(body({ name: 'we-wide', target }))).toEqual({ batchItemFailures: [] });
    const failed = await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-wide' });
    expect(failed?.status.phase).toBe('Failed');
    expect(failed?.status.failureDetails?.reason).toBe('ConfigurationError');
    expect(failed?.target).toMatch(/… \[cut 139,\d{3} characters\]$/);
    expect(failed?.status.failureDetails?.naturalLanguageSummary.length).toBeLessThan(10_000);
  });
});
