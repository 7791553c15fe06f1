/**
 * WE-16 locally: WFE_CLUSTERS names the built-in clusters `npm start` runs, one Kubernetes API and
 * Tekton simulator each; the whole local system then serves both, and one of them down holds up
 * only its own executions.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClient, executionTable } from '../../../functions/adapters/dynamodb/execution-table.js';
import { systemClock } from '../../../functions/adapters/system-clock.js';
import { Label } from '../../../functions/core/pipeline-run.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import type { DevState } from '../../../local/dev-state.js';
import {
  checkLocalConfig,
  type LocalSystem,
  localClusterNames,
  startLocalSystem,
} from '../../../local/system.js';
import { type ManifestOptions, manifest } from '../../fixtures/manifests.js';
import { eventually } from '../aws/eventually.js';

describe('WFE_CLUSTERS', () => {
  it('is unset for the one cluster of today, else the names, the first the default', () => {
    expect(localClusterNames({})).toBeUndefined();
    expect(localClusterNames({ WFE_CLUSTERS: ' ' })).toBeUndefined();
    expect(localClusterNames({ WFE_CLUSTERS: 'east, west' })).toEqual(['east', 'west']);
    expect(checkLocalConfig({})).toEqual({ names: ['default'], defaultCluster: 'default', several: false });
    expect(checkLocalConfig({ CLUSTER_NAME: 'lab' })).toEqual({
      names: ['lab'],
      defaultCluster: 'lab',
      several: false,
    });
    expect(checkLocalConfig({ WFE_CLUSTERS: 'east,west' })).toEqual({
      names: ['east', 'west'],
      defaultCluster: 'east',
      several: true,
    });
  });

  it.each([
    ['East,west', /WFE_CLUSTERS must be comma-separated cluster names .* got "East"/],
    ['east,,west', /WFE_CLUSTERS must be comma-separated cluster names .* got ""/],
    ['east,west,east', /WFE_CLUSTERS names east twice/],
  ])('refuses %j, naming the variable', (value, message) => {
    expect(() => localClusterNames({ WFE_CLUSTERS: value })).toThrow(message);
  });

  it('is built-in clusters only: a real cluster (KUBECONFIG) stays one', () => {
    expect(() =>
      localClusterNames({ WFE_CLUSTERS: 'east,west', KUBECONFIG: '/home/me/.kube/config' }),
    ).toThrow(/WFE_CLUSTERS runs built-in clusters; KUBECONFIG names one real cluster/);
  });
});

describe('WE-16: two built-in clusters in one local system', () => {
  const CLUSTER_LABEL = 'kubernaut.ai/cluster';
  let dir: string;
  let system: LocalSystem;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let store: ReturnType<typeof executionTable>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wfe-clusters-'));
    system = await startLocalSystem({
      env: { COOLDOWN_PERIOD: '2s', WFE_CLUSTERS: 'east,west' },
      reconcileIntervalMs: 250,
      stateDir: join(dir, '.wfe'),
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName: `wfe-clusters-${Date.now()}`,
      runDurationMs: 300,
      queue: { visibilityTimeoutSeconds: 1, batchingWindowSeconds: 0 },
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

  const submit = (cluster: string, options: ManifestOptions) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: system.endpoints.sqs.queueUrl,
        MessageBody: JSON.stringify(manifest({ ...options, labels: { [CLUSTER_LABEL]: cluster } })),
      }),
    );
  /** An execution's identity, the cluster part of it (WE-16). */
  const idOf = (cluster: string, name: string) => ({ cluster, namespace: 'orders', name });
  const phase = async (cluster: string, name: string) =>
    (await store.read(idOf(cluster, name)))?.status.phase;
  const runsIn = (cluster: string) =>
    system.kubeApis
      .get(cluster)
      ?.store.list('pipelineruns')
      .map((run) => run.metadata.labels?.[Label.WorkflowExecution]) ?? [];
  const auditOf = async (name: string) => {
    const url = new URL(`/api/v1/audit/events?correlation_id=${name}`, system.dataStorage?.url);
    return ((await (await fetch(url)).json()) as { data: { event_type: string; cluster_name: string }[] })
      .data;
  };

  it('runs a Kubernetes API per cluster, each posting its CloudEvents with its own token, and lists them in .wfe/dev.json', async () => {
    const state = JSON.parse(await readFile(join(dir, '.wfe', 'dev.json'), 'utf8')) as DevState;
    expect(state.clusters.map((c) => c.name)).toEqual(['east', 'west']);
    for (const c of state.clusters) {
      expect(c.kubeconfig).toBe(join(dir, '.wfe', `kubeconfig-${c.name}`));
      expect(await readFile(c.kubeconfig, 'utf8')).toContain(system.kubeApis.get(c.name)?.url);
      expect(c.eventsUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/tekton/local-${c.name}$`));
    }
    expect(state.cluster).toMatchObject({ clusterName: 'east', kubeconfig: state.clusters[0]?.kubeconfig });
    expect(state.events.sinkUrl).toBe(state.clusters[0]?.eventsUrl);
    expect(new Set([...system.kubeApis.values()].map((api) => api.url)).size).toBe(2);
  });

  it('runs the same target in both clusters at once, each run in its own cluster, each audited with its cluster_name', async () => {
    const target = 'orders/Deployment/orders-api';
    const parameters = { NAMESPACE: 'orders', WFE_SIMULATE_DURATION: '4s' };
    await submit('east', { name: 'we-same-east', namespace: 'orders', target, parameters });
    await submit('west', { name: 'we-same-west', namespace: 'orders', target, parameters });
    await eventually(async () => {
      const [east, west] = await Promise.all([phase('east', 'we-same-east'), phase('west', 'we-same-west')]);
      expect({ east, west }).toEqual({ east: 'Running', west: 'Running' });
    }, 15_000);
    expect(runsIn('east')).toEqual(['we-same-east']);
    expect(runsIn('west')).toEqual(['we-same-west']);
    await eventually(async () => {
      expect(await phase('east', 'we-same-east')).toBe('Completed');
      expect(await phase('west', 'we-same-west')).toBe('Completed');
    }, 15_000);
    await eventually(async () => {
      for (const cluster of ['east', 'west']) {
        const events = await auditOf(`we-same-${cluster}`);
        expect(events.map((e) => e.event_type).sort()).toEqual(['workflow.completed', 'workflow.started']);
        expect(events.map((e) => e.cluster_name)).toEqual([cluster, cluster]);
      }
    }, 10_000);
  }, 45_000);

  it('completes and releases in one cluster while the other cluster’s API is down, then catches up there', async () => {
    const west = system.kubeApis.get('west');
    const down = west?.faults.inject({ status: 503, message: 'west is down' });
    try {
      const target = 'orders/Deployment/orders-db';
      await submit('west', { name: 'we-down-west', namespace: 'orders', target });
      await submit('east', { name: 'we-down-east', namespace: 'orders', target });
      await eventually(async () => {
        const east = await store.read(idOf('east', 'we-down-east'));
        expect(east?.status.phase).toBe('Completed');
        expect(east?.status.conditions.LockReleased?.status).toBe('True');
      }, 20_000);
      expect(down?.hits).toBeGreaterThan(0);
      expect(await phase('west', 'we-down-west')).not.toMatch(/Running|Completed/);
      expect(runsIn('west')).not.toContain('we-down-west');
    } finally {
      down?.clear();
    }
    await eventually(async () => expect(await phase('west', 'we-down-west')).toBe('Completed'), 20_000);
  }, 60_000);

  it('ends a request for a cluster it does not serve Failed, ConfigurationError, creating nothing in any cluster', async () => {
    await submit('north', { name: 'we-north', namespace: 'orders', target: 'orders/Deployment/orders-api' });
    await eventually(async () => {
      const refused = await store.read(idOf('north', 'we-north'));
      expect(refused?.status.phase).toBe('Failed');
      expect(refused?.status.failureDetails?.reason).toBe('ConfigurationError');
    }, 15_000);
    expect([...runsIn('east'), ...runsIn('west')]).not.toContain('we-north');
  }, 30_000);
});
