/**
 * SPEC §6 / issue "Proof": DynamoDB throttling (ProvisionedThroughputExceededException injected at
 * the client). Short bursts are absorbed by the SDK's retries; a long one fails the message, which
 * SQS redelivers; nothing is lost and nothing is recorded twice.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { documentClient, executionTable } from '../../functions/adapters/dynamodb/execution-table.js';
import { createHandler } from '../../functions/execute/handler.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/aws/dynamodb-local.js';
import { RecordingQueue } from '../fakes/recorders.js';
import { sqsEvent, sqsRecord } from '../fixtures/events.js';
import { body } from '../fixtures/manifests.js';
import { type Engines, lambdaContext, startEngines } from '../setup/engines.js';

let engines: Engines;
beforeEach(async () => {
  engines = await startEngines();
});
afterEach(async () => {
  await engines.stop();
});

/** A client whose next `failures` requests are throttled before they reach DynamoDB Local. */
function throttledClient() {
  const client = new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
  });
  const state = { failures: 0, throttled: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      if (state.failures > 0) {
        state.failures--;
        state.throttled++;
        throw new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'deserialize', name: 'injectThrottling' },
  );
  return { client, state };
}

function handlerOn(client: DynamoDBClient) {
  return createHandler({
    store: executionTable(engines.table.tableName, engines.clock, documentClient(client)),
    clusters: () => engines.cluster,
    queue: new RecordingQueue(),
    clock: engines.clock,
    settings: {
      clusters: [{ name: 'default', namespace: 'kubernaut-workflows' }],
      serviceAccountName: 'runner',
      defaultCluster: 'default',
      cooldownMs: 10_000,
      leaseMs: 900_000,
    },
    logger: new Logger({ serviceName: 'execute', logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'wfe-test', serviceName: 'execute' }),
  });
}

describe('DynamoDB throttling', () => {
  it("absorbs a short burst with the SDK's retries", async () => {
    const { client, state } = throttledClient();
    state.failures = 2;
    const out = await handlerOn(client)(
      sqsEvent(sqsRecord(body({ name: 'we-1' }))),
      lambdaContext('execute'),
    );
    expect(out).toEqual({ batchItemFailures: [] });
    expect(state.throttled).toBe(2);
    expect(
      (await engines.store.read({ cluster: 'default', namespace: 'default', name: 'we-1' }))?.status.phase,
    ).toBe('Running');
  });

  it('fails the messages of a long throttle, and redelivery finishes them all once', async () => {
    const { client, state } = throttledClient();
    const handler = handlerOn(client);
    const bodies = Array.from({ length: 10 }, (_, i) =>
      body({ name: `we-${i}`, target: `default/deployment/app-${i}` }),
    );
    state.failures = 1_000_000;
    const first = await handler(
      sqsEvent(...bodies.map((b, i) => sqsRecord(b, `m-${i}`))),
      lambdaContext('execute'),
    );
    expect(first.batchItemFailures).toHaveLength(10);
    state.failures = 0;
    let pending = first.batchItemFailures.map((f) => Number(f.itemIdentifier.slice(2)));
    for (let round = 0; round < 5 && pending.length > 0; round++) {
      const out = await handler(
        sqsEvent(...pending.map((i) => sqsRecord(bodies[i]!, `m-${i}`))),
        lambdaContext('execute'),
      );
      pending = out.batchItemFailures.map((f) => Number(f.itemIdentifier.slice(2)));
    }
    expect(pending).toEqual([]);
    const phases = await Promise.all(
      bodies.map((_, i) => engines.store.read({ cluster: 'default', namespace: 'default', name: `we-${i}` })),
    );
    expect(phases.map((e) => e?.status.phase)).toEqual(Array(10).fill('Running'));
    expect(engines.kube.store.list('pipelineruns', 'kubernaut-workflows')).toHaveLength(10);
    console.log(
      `throttling: ${state.throttled} requests throttled; 10 sent, 10 started, 0 lost, 0 duplicated`,
    );
  });
});
