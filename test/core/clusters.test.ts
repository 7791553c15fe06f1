/**
 * WE-16 several clusters, one deployment, against memory: the cluster a request names is part of
 * its identity, its lock, its run's place, its audit record, its metrics and its logs; a cluster
 * the deployment does not serve is refused; a cluster that is down holds up only its own work.
 */
import { describe, expect, it } from 'vitest';
import { CLUSTER_LABEL } from '../../functions/core/clusters.js';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { MetricName } from '../../functions/core/metric-name.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import type { Cluster } from '../../functions/core/ports.js';
import { allUnitsOf, sweep } from '../../functions/core/reconcile.js';
import { syncRun } from '../../functions/core/sync-one.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { memorySystem } from '../fakes/memory-system.js';
import { body } from '../fixtures/manifests.js';

const TARGET = 'payment/Deployment/payment-api';
const SUCCEEDED = {
  startTime: '2026-03-01T10:00:01Z',
  completionTime: '2026-03-01T10:00:30Z',
  succeeded: { status: 'True' as const, reason: 'Succeeded', message: 'Tasks Completed: 1' },
};

/** A deployment serving east (namespace wf-east) and west (wf-west), west the default. */
function fleet() {
  const east = new MemoryCluster();
  const west = new MemoryCluster();
  const byName: Record<string, Cluster> = { east, west };
  const s = memorySystem({
    settings: {
      clusters: [
        { name: 'east', namespace: 'wf-east' },
        { name: 'west', namespace: 'wf-west' },
      ],
      defaultCluster: 'west',
    },
    clusters: (name) => byName[name]!,
  });
  const request = (name: string, cluster?: string) =>
    s.execute(body({ name, target: TARGET, ...(cluster ? { labels: { [CLUSTER_LABEL]: cluster } } : {}) }));
  return { ...s, east, west, request };
}

describe('WE-16 the cluster in the request', () => {
  it('WE-16: the same target in two clusters runs twice at once, each in its own cluster and namespace', async () => {
    const s = fleet();
    expect(await s.request('we-1', 'east')).toMatchObject({ kind: 'started', id: 'east/default/we-1' });
    expect(await s.request('we-1', 'west')).toMatchObject({ kind: 'started', id: 'west/default/we-1' });
    expect([...s.store.locks.keys()].sort()).toEqual([`east#${TARGET}`, `west#${TARGET}`]);
    expect(s.east.run('wf-east', pipelineRunName(TARGET))).toBeDefined();
    expect(s.west.run('wf-west', pipelineRunName(TARGET))).toBeDefined();
    const running = [...s.store.executions.values()].filter((e) => e.status.phase === 'Running');
    expect(running.map((e) => e.id.cluster).sort()).toEqual(['east', 'west']);
  });

  it('WE-16: a request without the label goes to the default cluster', async () => {
    const s = fleet();
    expect(await s.request('we-1')).toMatchObject({ kind: 'started', id: 'west/default/we-1' });
    expect(s.west.runs.size).toBe(1);
    expect(s.east.runs.size).toBe(0);
  });

  it('WE-16: the audit record’s cluster_name, the metrics’ cluster and the logs’ cluster are the execution’s', async () => {
    const s = fleet();
    await s.request('we-1', 'east');
    await s.request('we-2', 'west');
    expect(s.store.audit.map((a) => [a.resource_id, a.event_type, a.cluster_name])).toEqual([
      ['we-1', 'workflow.started', 'east'],
      ['we-2', 'workflow.started', 'west'],
    ]);
    expect(s.metrics.sum(MetricName.PipelineRunCreations, { cluster: 'east' })).toBe(1);
    expect(s.metrics.sum(MetricName.PipelineRunCreations, { cluster: 'west' })).toBe(1);
    const processed = s.log.lines.filter((l) => l.message === 'request processed');
    expect(processed.map((l) => l.fields?.cluster)).toEqual(['east', 'west']);
  });

  it('WE-16: an unknown cluster ends Failed/ConfigurationError, audited, with no lock and no run anywhere', async () => {
    const s = fleet();
    const outcome = await s.request('we-1', 'north');
    expect(outcome).toEqual({ kind: 'failed', id: 'north/default/we-1', reason: 'ConfigurationError' });
    const e = s.store.execution('default', 'we-1', 'north')!;
    expect(e.status.phase).toBe('Failed');
    expect(e.status.failureDetails?.message).toMatch(
      /cluster "north".*not one this deployment serves: east, west/,
    );
    expect(s.store.locks.size).toBe(0);
    expect(s.east.runs.size + s.west.runs.size).toBe(0);
    expect(s.store.audit).toMatchObject([
      {
        event_type: 'workflow.failed',
        cluster_name: 'north',
        event_data: { failure_reason: 'ConfigurationError' },
      },
    ]);
  });

  it('WE-16: an invalid request keeps the cluster it named', async () => {
    const s = fleet();
    const outcome = await s.execute(
      body({ name: 'we-bad', target: 'only-one-part', labels: { [CLUSTER_LABEL]: 'east' } }),
    );
    expect(outcome).toMatchObject({ kind: 'rejected', id: 'east/default/we-bad', deadLettered: false });
    expect(s.store.audit.map((a) => a.cluster_name)).toEqual(['east']);
  });
});

describe('WE-16 a cluster that is down slows only its own executions', () => {
  it('WE-16: the sweep of a down cluster stops and is retried, while the other cluster’s executions complete', async () => {
    const s = fleet();
    await s.request('we-1', 'east');
    await s.request('we-2', 'west');
    s.east.update('wf-east', pipelineRunName(TARGET), SUCCEEDED);
    s.west.update('wf-west', pipelineRunName(TARGET), SUCCEEDED);
    s.east.fault = () => {
      throw new ClusterUnavailableError('HTTP 503 from east', 503);
    };
    await expect(sweep(allUnitsOf(s.store, s.settings), s.reconcileDeps)).rejects.toBeInstanceOf(
      ClusterUnavailableError,
    );
    expect(s.store.execution('default', 'we-2', 'west')?.status.phase).toBe('Completed');
    expect(s.store.execution('default', 'we-1', 'east')?.status.phase).toBe('Running');
    expect(
      s.store.audit.filter((a) => a.event_type === 'workflow.completed').map((a) => a.cluster_name),
    ).toEqual(['west']);

    s.east.fault = undefined;
    await sweep(allUnitsOf(s.store, s.settings), s.reconcileDeps);
    expect(s.store.execution('default', 'we-1', 'east')?.status.phase).toBe('Completed');
  });

  it('WE-16: a run event is read from the cluster whose token it came with', async () => {
    const s = fleet();
    await s.request('we-1', 'east');
    s.east.update('wf-east', pipelineRunName(TARGET), SUCCEEDED);
    const hint = {
      kind: 'run' as const,
      namespace: 'wf-east',
      name: pipelineRunName(TARGET),
      type: 'dev.tekton.event.pipelinerun.successful.v1',
    };
    // The same run name in the west namespace: no such run there, nothing changes.
    expect(await syncRun({ ...hint, cluster: 'west' }, s.reconcileDeps)).toEqual({
      kind: 'ignored',
      reason: 'other-namespace',
    });
    expect(await syncRun({ ...hint, cluster: 'north' }, s.reconcileDeps)).toEqual({
      kind: 'ignored',
      reason: 'unknown-cluster',
    });
    expect(await syncRun({ ...hint, cluster: 'east' }, s.reconcileDeps)).toMatchObject({
      kind: 'synced',
      id: 'east/default/we-1',
      ended: true,
    });
    expect(s.store.locks.get(`east#${TARGET}`)?.state).toBe('cooling');
  });
});
