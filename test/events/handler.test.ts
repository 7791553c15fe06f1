/** The events consumer's wiring: both message kinds, unreadable bodies dropped, faults as partial batch failures. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { ClusterUnavailableError } from '../../functions/core/errors.js';
import { execute } from '../../functions/core/execute.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import { createHandler } from '../../functions/events/handler.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import {
  RecordingEvents,
  RecordingLog,
  RecordingMetrics,
  RecordingQueue,
  RecordingTimers,
} from '../fakes/recorders.js';
import { sqsEvent, sqsRecord } from '../fixtures/events.js';
import { body } from '../fixtures/manifests.js';
import { lambdaContext } from '../setup/engines.js';

const NS = 'kubernaut-workflows';
const TARGET = 'default/deployment/test-app';
const settings = {
  clusters: [{ name: 'default', namespace: NS }],
  defaultCluster: 'default',
  cooldownMs: 10_000,
  leaseMs: 15 * 60_000,
};

describe('events handler (WE-13)', () => {
  it('syncs a run event, fires a timer, drops an unreadable body, and reports a faulted message for retry', async () => {
    const store = new MemoryStore();
    const cluster = new MemoryCluster();
    const clock = fixedClock('2026-03-01T10:00:00Z');
    const timers = new RecordingTimers();
    const core = {
      store,
      clusters: () => cluster,
      clock,
      metrics: new RecordingMetrics(),
      log: new RecordingLog(),
      settings,
    };
    await execute(body({ name: 'we-1' }), {
      ...core,
      queue: new RecordingQueue(),
      settings: { ...settings, serviceAccountName: 'sa' },
    });
    cluster.update(NS, pipelineRunName(TARGET), {
      completionTime: '2026-03-01T10:00:01Z',
      succeeded: { status: 'True', reason: 'Succeeded', message: 'done' },
    });
    const handler = createHandler({
      store,
      clusters: () => cluster,
      clock,
      settings,
      timers,
      events: new RecordingEvents(),
      logger: new Logger({ serviceName: 'events', logLevel: 'ERROR' }),
      metrics: new Metrics({ namespace: 'wfe-test', serviceName: 'events' }),
    });
    const run = {
      kind: 'run',
      cluster: 'default',
      namespace: NS,
      name: pipelineRunName(TARGET),
      type: 'dev.tekton.event.pipelinerun.successful.v1',
    };
    const result = await handler(
      sqsEvent(sqsRecord(JSON.stringify(run), 'm1'), sqsRecord('garbage', 'm2')),
      lambdaContext('events'),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(store.execution('default', 'we-1')?.status.phase).toBe('Completed');
    const timer = timers.sent.at(-1)!.timer;
    expect(timer.at).toBe('2026-03-01T10:00:11.000Z');

    clock.set(timer.at);
    cluster.fault = (op) => {
      if (op === 'delete') throw new ClusterUnavailableError('connect ECONNREFUSED');
    };
    const failed = await handler(sqsEvent(sqsRecord(JSON.stringify(timer), 'm3')), lambdaContext('events'));
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }] });
    cluster.fault = undefined;
    const retried = await handler(sqsEvent(sqsRecord(JSON.stringify(timer), 'm3')), lambdaContext('events'));
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(store.locks.size).toBe(0);
  });
});
