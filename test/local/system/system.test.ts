import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient, executionTable } from '../../../functions/adapters/dynamodb/execution-table.js';
import { systemClock } from '../../../functions/adapters/system-clock.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import type { DevState } from '../../../local/dev-state.js';
import { type LocalSystem, startLocalSystem } from '../../../local/system.js';
import { manifest } from '../../fixtures/manifests.js';
import { eventually } from '../aws/eventually.js';

describe('local system', () => {
  let dir: string;
  let system: LocalSystem;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let store: ReturnType<typeof executionTable>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wfe-system-'));
    system = await startLocalSystem({
      env: { COOLDOWN_PERIOD: '2s' },
      reconcileIntervalMs: 250,
      stateDir: join(dir, '.wfe'),
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: `wfe-system-${Date.now()}`,
      runDurationMs: 300,
      queue: { maxReceiveCount: 2, visibilityTimeoutSeconds: 1, batchingWindowSeconds: 0 },
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

  const submit = (body: unknown) =>
    sqs.send(
      new SendMessageCommand({ QueueUrl: system.endpoints.sqs.queueUrl, MessageBody: JSON.stringify(body) }),
    );

  it('writes .wfe/dev.json with its endpoints, for wfe commands run there', async () => {
    const state = JSON.parse(await readFile(join(dir, '.wfe', 'dev.json'), 'utf8')) as DevState;
    expect(state).toMatchObject({
      version: 1,
      pid: process.pid,
      dynamodb: { tableName: system.endpoints.dynamodb.tableName },
      sqs: { queueUrl: system.endpoints.sqs.queueUrl, auditDlqUrl: system.endpoints.sqs.auditDlqUrl },
      cluster: { builtIn: true, namespace: 'kubernaut-workflows', clusterName: 'default' },
      dataStorage: { builtIn: true, url: system.dataStorage?.url },
    });
    expect(existsSync(state.cluster.kubeconfig)).toBe(true);
    // WE-16: the list of clusters holds the one cluster, with the sink URL its Tekton posts to.
    expect(state.clusters).toEqual([
      { name: 'default', kubeconfig: state.cluster.kubeconfig, eventsUrl: state.events.sinkUrl },
    ]);
    expect(state.events.sinkUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tekton\/local$/);
    expect([...system.kubeApis.keys()]).toEqual(['default']);
  });

  it('runs a request through execute, reconcile and the forwarder to Completed, with its audit trail in DataStorage', async () => {
    await submit(manifest({ name: 'we-system-ok', namespace: 'demo', target: 'demo/Deployment/ok' }));
    const id = { cluster: 'default', namespace: 'demo', name: 'we-system-ok' };
    await eventually(async () => expect((await store.read(id))?.status.phase).toBe('Completed'), 15_000);
    const url = new URL('/api/v1/audit/events?correlation_id=we-system-ok', system.dataStorage?.url);
    await eventually(async () => {
      const page = (await (await fetch(url)).json()) as { data: { event_type: string }[] };
      expect(page.data.map((e) => e.event_type).sort()).toEqual(['workflow.completed', 'workflow.started']);
    }, 10_000);
    // The lock cools down, then reconcile releases it.
    await eventually(
      async () => expect((await store.read(id))?.status.conditions.LockReleased?.status).toBe('True'),
      10_000,
    );
  }, 30_000);

  it('moves a poison request to the request DLQ after the configured receives (cluster answering 500)', async () => {
    const fault = system.kubeApi?.faults.inject({ method: 'POST', path: /pipelineruns/, status: 500 });
    try {
      await submit(
        manifest({ name: 'we-system-poison', namespace: 'demo', target: 'demo/Deployment/poison' }),
      );
      await eventually(async () => {
        const out = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: system.endpoints.sqs.dlqUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        expect(out.Attributes?.ApproximateNumberOfMessages).toBe('1');
      }, 15_000);
      expect(fault?.hits).toBeGreaterThanOrEqual(2);
      const parked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: system.endpoints.sqs.dlqUrl }));
      expect(JSON.parse(parked.Messages?.[0]?.Body ?? '{}').metadata.name).toBe('we-system-poison');
    } finally {
      fault?.clear();
    }
  }, 30_000);

  it('stops every engine it started and removes dev.json', async () => {
    await system.stop();
    expect(existsSync(join(dir, '.wfe', 'dev.json'))).toBe(false);
    await expect(fetch(new URL('/health', system.dataStorage?.url))).rejects.toThrow();
    await expect(fetch(system.kubeApi?.url ?? '')).rejects.toThrow();
    await expect(fetch(system.endpoints.sqs.endpoint)).rejects.toThrow();
  });
});
