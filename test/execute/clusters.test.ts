/**
 * WE-16 at the execute handler: DynamoDB Local, the built-in Kubernetes API as the cluster `west`,
 * and a cluster `east` whose API answers 503, each reached through the cluster set the deployed
 * wiring builds (connected on first use). Same target in both, one batch.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tableListing } from '../../functions/adapters/dynamodb/listing.js';
import { clusterSet } from '../../functions/adapters/kubernetes/cluster-set.js';
import { CLUSTER_LABEL } from '../../functions/core/clusters.js';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import type { Cluster } from '../../functions/core/ports.js';
import { createHandler } from '../../functions/execute/handler.js';
import { RecordingQueue } from '../fakes/recorders.js';
import { sqsEvent, sqsRecord } from '../fixtures/events.js';
import { body } from '../fixtures/manifests.js';
import { type Engines, lambdaContext, startEngines } from '../setup/engines.js';

const NS = 'kubernaut-workflows';
const TARGET = 'payment/Deployment/payment-api';

let engines: Engines;
beforeEach(async () => {
  engines = await startEngines();
});
afterEach(async () => {
  await engines.stop();
});

/** A cluster whose API is down: every call answers 503. */
const unavailable = async (): Promise<never> => {
  throw new ClusterUnavailableError('HTTP 503 Service Unavailable from east', 503);
};
const down: Cluster = {
  createPipelineRun: unavailable,
  getPipelineRun: unavailable,
  listPipelineRuns: unavailable,
  deletePipelineRun: unavailable,
  getTaskRun: unavailable,
  recordEvent: unavailable,
};

function system(east: Cluster = down) {
  const connected: string[] = [];
  const clusters = clusterSet(
    [
      { name: 'east', access: { mode: 'eks', clusterName: 'eks-east' } },
      { name: 'west', access: { mode: 'local', kubeconfigPath: 'unused' } },
    ],
    {},
    async (access) => {
      connected.push(access.mode);
      return access.mode === 'eks' ? east : engines.cluster;
    },
  );
  const handler = createHandler({
    store: engines.store,
    clusters,
    queue: new RecordingQueue(),
    clock: engines.clock,
    settings: {
      clusters: [
        { name: 'east', namespace: NS },
        { name: 'west', namespace: NS },
      ],
      defaultCluster: 'west',
      serviceAccountName: 'kubernaut-workflow-runner',
      cooldownMs: 10_000,
      leaseMs: 15 * 60_000,
    },
    logger: new Logger({ serviceName: 'execute-test', logLevel: 'ERROR' }),
    metrics: new Metrics({ namespace: 'wfe-test', serviceName: 'execute' }),
  });
  const request = (name: string, cluster: string) =>
    sqsRecord(body({ name, target: TARGET, labels: { [CLUSTER_LABEL]: cluster } }), `msg-${cluster}-${name}`);
  const listing = tableListing(engines.table.tableName, engines.table.doc);
  return { handler, request, connected, listing };
}

const read = (cluster: string, name: string) => engines.store.read({ cluster, namespace: 'default', name });

describe('WE-16 execute with several clusters', () => {
  it('WE-16: the same target in two clusters: two Running at once, two locks, the audit cluster_name of each', async () => {
    const s = system(engines.cluster);
    const out = await s.handler(
      sqsEvent(s.request('we-1', 'east'), s.request('we-1', 'west')),
      lambdaContext('execute'),
    );
    expect(out.batchItemFailures).toEqual([]);
    expect((await read('east', 'we-1'))?.status.phase).toBe('Running');
    expect((await read('west', 'we-1'))?.status.phase).toBe('Running');
    const locks = await s.listing.locks({ clusters: ['east', 'west'] });
    expect(locks.items.map((l) => [l.key, l.holder.cluster])).toEqual([
      [`east#${TARGET}`, 'east'],
      [`west#${TARGET}`, 'west'],
    ]);
    for (const cluster of ['east', 'west']) {
      const audit = await s.listing.auditRecords({ cluster, namespace: 'default', name: 'we-1' });
      expect(audit.map((a) => [a.event_type, a.cluster_name])).toEqual([['workflow.started', cluster]]);
    }
  });

  it('WE-16: one cluster down: only its message fails (partial batch) while the other cluster’s request runs', async () => {
    const s = system();
    const out = await s.handler(
      sqsEvent(s.request('we-1', 'east'), s.request('we-1', 'west')),
      lambdaContext('execute'),
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'msg-east-we-1' }]);
    expect((await read('west', 'we-1'))?.status.phase).toBe('Running');
    expect((await read('east', 'we-1'))?.status.phase).toBe('Pending');
    // Each cluster connected once, on first use, and kept for the next message.
    await s.handler(sqsEvent(s.request('we-2', 'west')), lambdaContext('execute'));
    expect(s.connected.sort()).toEqual(['eks', 'local']);
  });

  it('WE-16: an unknown cluster is refused: Failed, ConfigurationError, audited with its cluster_name, no lock', async () => {
    const s = system(engines.cluster);
    const out = await s.handler(sqsEvent(s.request('we-1', 'north')), lambdaContext('execute'));
    expect(out.batchItemFailures).toEqual([]);
    const e = await read('north', 'we-1');
    expect(e?.status.phase).toBe('Failed');
    expect(e?.status.failureDetails?.reason).toBe('ConfigurationError');
    expect((await s.listing.locks({ clusters: ['east', 'west', 'north'] })).items).toEqual([]);
    expect(s.connected).toEqual([]);
    const audit = await s.listing.auditRecords({ cluster: 'north', namespace: 'default', name: 'we-1' });
    expect(audit.map((a) => [a.event_type, a.cluster_name, a.event_data.failure_reason])).toEqual([
      ['workflow.failed', 'north', 'ConfigurationError'],
    ]);
    // It is listed under the cluster it named.
    expect((await s.listing.executions({ clusters: ['north'] })).items.map((x) => x.id.name)).toEqual([
      'we-1',
    ]);
  });
});
