/**
 * Kubernaut's metrics_comprehensive_test.go ("WorkflowExecution Metrics - Comprehensive Coverage"),
 * read where CloudWatch reads them: the functions' embedded-metric-format output (WE-11). The
 * counters are the system's, not a test's, so these run one after another and every delta is exact.
 */
import { describe, expect, it } from 'vitest';
import { acceptanceSystem, request, unique, waitFor } from './harness.js';

const h = acceptanceSystem({ metrics: true, runDurationMs: 300 });

const TOTAL = 'workflowexecution_reconciler_total';
const DURATION = 'workflowexecution_reconciler_duration_seconds';
const CREATIONS = 'workflowexecution_reconciler_pipelinerun_creations_total';

/** The counters now, to compare with after. */
function snapshot() {
  return {
    completed: h.metrics.sum(TOTAL, { outcome: 'Completed' }),
    failed: h.metrics.sum(TOTAL, { outcome: 'Failed' }),
    completedDurations: h.metrics.of(DURATION, { outcome: 'Completed' }).length,
    failedDurations: h.metrics.of(DURATION, { outcome: 'Failed' }).length,
    creations: h.metrics.sum(CREATIONS),
  };
}

/** Waits for the emitted totals to reach `expected` more than `before`. */
async function totalsReach(
  before: ReturnType<typeof snapshot>,
  expected: { completed: number; failed: number },
) {
  await waitFor(`reconciler totals +${expected.completed} Completed, +${expected.failed} Failed`, () => {
    const now = snapshot();
    return (
      now.completed - before.completed >= expected.completed && now.failed - before.failed >= expected.failed
    );
  });
  await h.queueDrained();
}

describe('WorkflowExecution Metrics - Comprehensive Coverage', () => {
  describe('BR-WE-008: Execution Total Counter', () => {
    it("BR-WE-008: should increment workflowexecution_reconciler_total{outcome='Completed'} on success (WE-11)", async () => {
      const before = snapshot();
      const { name, target } = unique('m-ok');
      await h.submit(request({ name, target }));
      await h.waitForPhase(name, 'Completed');
      await totalsReach(before, { completed: 1, failed: 0 });
      const after = snapshot();
      expect(after.completed - before.completed).toBe(1);
      expect(after.failed - before.failed).toBe(0);
      expect(after.creations - before.creations).toBe(1);
    });

    it("BR-WE-008: should increment workflowexecution_reconciler_total{outcome='Failed'} on failure — a failed run and a pre-execution failure (WE-11)", async () => {
      const before = snapshot();
      const run = unique('m-fail');
      const invalid = unique('m-invalid');
      await h.submit(request({ ...run, simulate: 'fail' }));
      // Kubernaut counts pre-execution failures (MarkFailedWithReason) as Failed too.
      await h.send(JSON.stringify(request({ ...invalid, image: '' })));
      await h.waitForPhase(run.name, 'Failed');
      await h.waitForPhase(invalid.name, 'Failed');
      await totalsReach(before, { completed: 0, failed: 2 });
      const after = snapshot();
      expect(after.failed - before.failed).toBe(2);
      expect(after.completed - before.completed).toBe(0);
      expect(after.creations - before.creations).toBe(1);
    });

    it('BR-WE-008: should record execution duration in histogram for both success and failure — run time for runs, 0 before execution (WE-11)', async () => {
      const before = snapshot();
      const ok = unique('m-dur-ok');
      const failed = unique('m-dur-fail');
      const invalid = unique('m-dur-invalid');
      await h.submit(request({ ...ok, runFor: '2s' }));
      await h.waitForPhase(ok.name, 'Completed');
      await totalsReach(before, { completed: 1, failed: 0 });
      await h.submit(request({ ...failed, simulate: 'fail', runFor: '2s' }));
      await h.waitForPhase(failed.name, 'Failed');
      await totalsReach(before, { completed: 1, failed: 1 });
      await h.send(JSON.stringify(request({ ...invalid, target: 'no-kind' })));
      await h.waitForPhase(invalid.name, 'Failed');
      await totalsReach(before, { completed: 1, failed: 2 });

      const completed = h.metrics.of(DURATION, { outcome: 'Completed' }).slice(before.completedDurations);
      const failures = h.metrics.of(DURATION, { outcome: 'Failed' }).slice(before.failedDurations);
      expect(completed).toHaveLength(1);
      expect(failures).toHaveLength(2);
      const okWe = (await h.get(ok.name))!;
      const failedWe = (await h.get(failed.name))!;
      const seconds = (we: typeof okWe) =>
        (Date.parse(we.status.completionTime!) - Date.parse(we.status.startTime!)) / 1000;
      expect(completed[0]!.value).toBeCloseTo(seconds(okWe), 2);
      // 2 s runs, whose reported completion has whole seconds.
      expect(completed[0]!.value).toBeGreaterThanOrEqual(1);
      expect(failures[0]!.value).toBeCloseTo(seconds(failedWe), 2);
      expect(failures[0]!.value).toBeGreaterThanOrEqual(1);
      expect(failures[1]!.value).toBe(0);
      for (const sample of [...completed, ...failures]) expect(sample.unit).toBe('Seconds');
    });
  });

  describe('BR-WE-008: Metrics Label Cardinality', () => {
    it('BR-WE-008: should only use defined outcome labels (Completed, Failed) — in everything emitted so far (WE-11)', () => {
      const outcomes = new Set(
        [...h.metrics.of(TOTAL), ...h.metrics.of(DURATION)].map((s) => s.dimensions.outcome),
      );
      expect([...outcomes].sort()).toEqual(['Completed', 'Failed']);
      // The cluster (WE-16) is bounded as the outcome is: one of the deployment's clusters.
      for (const sample of [...h.metrics.of(TOTAL), ...h.metrics.of(DURATION)]) {
        expect(Object.keys(sample.dimensions).sort()).toEqual(['cluster', 'outcome', 'service']);
        expect(sample.dimensions.cluster).toBe('default');
      }
      // The creation counter has no outcome (Kubernaut's has no labels).
      for (const sample of h.metrics.of(CREATIONS)) expect(sample.dimensions.outcome).toBeUndefined();
    });
  });

  describe('BR-WE-008: Business Value Validation', () => {
    it('BR-WE-008: should enable SLO success rate calculation with ExecutionTotal metrics — 3 of 4 succeed, the counters say 75 % (WE-11)', async () => {
      const before = snapshot();
      const runs = [unique('slo-1'), unique('slo-2'), unique('slo-3'), unique('slo-4')];
      await Promise.all(
        runs.map((r, i) => h.submit(request({ ...r, simulate: i === 3 ? 'fail' : 'succeed' }))),
      );
      await totalsReach(before, { completed: 3, failed: 1 });
      const after = snapshot();
      const completed = after.completed - before.completed;
      const failed = after.failed - before.failed;
      expect({ completed, failed }).toEqual({ completed: 3, failed: 1 });
      expect(completed / (completed + failed)).toBe(0.75);
    });
  });
});
