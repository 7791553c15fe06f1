/**
 * The CloudWatch metrics the dashboard and the alarms read. The functions' own metrics (EMF,
 * namespace `wfe`, names from functions/core/metric-name.ts) are read with Metrics Insights and SEARCH
 * over the metric name, so they add up across whatever `service` dimension a function reports
 * under, and across both functions that finish executions (execute and reconcile).
 */
import { Duration } from 'aws-cdk-lib';
import { type IMetric, MathExpression, type Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { MetricName } from '../functions/core/metric-name.js';
import { METRICS_NAMESPACE } from '../functions/platform/powertools.js';

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** The sum over every series of one counter, optionally only where `outcome` matches. */
export function total(metric: string, label: string, outcome?: string, period = ONE_MINUTE): IMetric {
  const where = outcome ? ` WHERE outcome = '${outcome}'` : '';
  return new MathExpression({
    expression: `SELECT SUM(${metric}) FROM ${METRICS_NAMESPACE}${where}`,
    label,
    usingMetrics: {},
    period,
  });
}

/**
 * A gauge's total over the clusters (WE-16) in each minute: each cluster's count is the highest of
 * its samples that minute (two reconcile instances may both take the census), and the clusters'
 * counts add up.
 */
export function gauge(metric: string, label: string): IMetric {
  const byCluster = new MathExpression({
    expression: `SELECT MAX(${metric}) FROM ${METRICS_NAMESPACE} GROUP BY cluster`,
    usingMetrics: {},
    period: ONE_MINUTE,
  });
  // The part's id is unique on a graph that shows several gauges.
  const id = `${metric}_by_cluster`;
  return new MathExpression({
    expression: `SUM(${id})`,
    label,
    usingMetrics: { [id]: byCluster },
    period: ONE_MINUTE,
  });
}

/**
 * One line per series of a distribution at the given percentile, labelled by the values of the
 * dimensions it is split by (CloudWatch's dynamic labels), e.g. "Completed reconcile p95".
 */
export function percentile(
  metric: string,
  stat: 'p50' | 'p95' | 'p99' | 'Maximum',
  by: readonly string[] = [],
): IMetric {
  const dimensions = [...by, 'service'].map((d) => `\${PROP('Dim.${d}')}`);
  return new MathExpression({
    expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metric}"', '${stat}', ${FIVE_MINUTES.toSeconds()})`,
    label: `${dimensions.join(' ')} ${stat}`,
    usingMetrics: {},
    period: FIVE_MINUTES,
  });
}

export const executionMetrics = () => ({
  started: total(MetricName.PipelineRunCreations, 'started (PipelineRuns created)'),
  completed: total(MetricName.ReconcilerTotal, 'completed', 'Completed'),
  failed: total(MetricName.ReconcilerTotal, 'failed', 'Failed'),
  deduplicated: total(MetricName.Deduplicated, 'deduplicated'),
  deferred: total(MetricName.CooldownDeferrals, 'deferred (cooldown)'),
  rejected: total(MetricName.RequestsRejected, 'rejected'),
});

export const lockMetrics = () => ({
  acquired: total(MetricName.LocksAcquired, 'acquired'),
  released: total(MetricName.LocksReleased, 'released'),
  // Reconcile counts each lock it finds held past its lease with no PipelineRun (WE-8).
  stuck: total(MetricName.StuckLocks, 'held past the lease'),
});

export const sweepMetrics = () => ({
  // Items (an execution or a lock) the sweep skipped because they threw.
  itemFailures: total(MetricName.SweepItemFailures, 'sweep items failed'),
});

export const eventMetrics = () => ({
  received: total(MetricName.EventsReceived, 'received'),
  ignored: total(MetricName.EventsIgnored, 'ignored (unknown run, bad token, bad shape)'),
});

export const auditMetrics = () => ({
  forwarded: total(MetricName.AuditForwarded, 'forwarded'),
  retried: total(MetricName.AuditRetried, 'retried'),
  failed: total(MetricName.AuditFailed, 'failed'),
  deadLettered: total(MetricName.AuditDeadLettered, 'dead-lettered'),
  possiblyDuplicated: total(MetricName.AuditPossiblyDuplicated, 'possibly duplicated'),
});

/** Messages waiting in a dead-letter queue: any at all needs a person. */
export function queueDepth(queue: Queue, label?: string): Metric {
  return queue.metricApproximateNumberOfMessagesVisible({
    label,
    statistic: Stats.MAXIMUM,
    period: ONE_MINUTE,
  });
}
