import { describe, expect, it } from 'vitest';
import { MetricName } from '../../functions/core/metric-name.js';

describe('metric names (WE-11)', () => {
  it('keeps Kubernaut’s names, so its dashboards read the same', () => {
    expect(MetricName).toMatchObject({
      ReconcilerTotal: 'workflowexecution_reconciler_total',
      ReconcilerDuration: 'workflowexecution_reconciler_duration_seconds',
      PipelineRunCreations: 'workflowexecution_reconciler_pipelinerun_creations_total',
    });
  });

  it('gives every metric its own name', () => {
    const names = Object.values(MetricName);
    expect(new Set(names).size).toBe(names.length);
  });
});
