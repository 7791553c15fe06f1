/**
 * One CloudWatch dashboard for the whole system (SPEC WE-11): executions and their durations,
 * locks, the request queue, both dead-letter queues, audit forwarding, and each function's health.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type GraphWidgetProps,
  type HorizontalAnnotation,
  type IAlarm,
  type IMetric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { MetricName } from '../functions/core/metric-name.js';
import { ITERATOR_AGE_THRESHOLD_MS } from './alarms.js';
import type { Functions } from './functions.js';
import {
  auditMetrics,
  eventMetrics,
  executionMetrics,
  gauge,
  lockMetrics,
  percentile,
  queueDepth,
  sweepMetrics,
} from './metrics.js';
import type { Queues } from './queues.js';

export interface WfeDashboardProps {
  functions: Functions;
  queues: Queues;
  alarms: IAlarm[];
}

const ONE_MINUTE = Duration.minutes(1);

export class WfeDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, { functions, queues, alarms }: WfeDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const graph = (title: string, left: IMetric[], width = 8, extra: Partial<GraphWidgetProps> = {}) =>
      new GraphWidget({ title, left, width, height: 6, ...extra });
    const lambdas = functions.all;
    const executions = executionMetrics();
    const locks = lockMetrics();
    const audit = auditMetrics();

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: stack.stackName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# wfe: WorkflowExecution on AWS (${stack.stackName})\nRequests enter the request queue; \`execute\` starts PipelineRuns, \`reconcile\` syncs them every minute and releases locks, \`audit-forwarder\` sends the audit trail to DataStorage. Counters are summed over 1 minute, percentiles over 5.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 3 }));
    this.dashboard.addWidgets(
      graph('Executions', Object.values(executions), 8, { stacked: false }),
      // Gauges the sweep publishes each tick: what is happening now, not what happened in a minute.
      graph('Running now', [
        gauge(MetricName.ExecutionsRunning, 'executions running'),
        gauge(MetricName.LocksHeld, 'locks held'),
      ]),
      graph(
        'Execution duration (s)',
        (['p50', 'p95', 'p99'] as const).map((p) =>
          percentile(MetricName.ReconcilerDuration, p, ['outcome']),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph('Locks', Object.values(locks)),
      graph(
        'Lock hold time (s)',
        (['p50', 'p95', 'Maximum'] as const).map((p) => percentile(MetricName.LockHoldSeconds, p)),
      ),
      graph(
        'Request queue',
        [
          queues.requests.metricApproximateNumberOfMessagesVisible({
            label: 'waiting',
            period: ONE_MINUTE,
            statistic: Stats.MAXIMUM,
          }),
          queues.requests.metricApproximateNumberOfMessagesNotVisible({
            label: 'in flight or delayed',
            period: ONE_MINUTE,
            statistic: Stats.MAXIMUM,
          }),
        ],
        8,
        {
          right: [
            queues.requests.metricApproximateAgeOfOldestMessage({
              label: 'age of oldest (s)',
              period: ONE_MINUTE,
              statistic: Stats.MAXIMUM,
            }),
          ],
        },
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Dead-letter queues',
        [
          queueDepth(queues.requestsDlq, 'request DLQ'),
          queueDepth(queues.auditDlq, 'audit DLQ'),
          queueDepth(queues.eventsDlq, 'events DLQ'),
        ],
        6,
        {
          leftAnnotations: [alarmLine(1, 'alarm')],
        },
      ),
      graph('Audit events', Object.values(audit), 6),
      graph(
        'DataStorage batch latency (ms)',
        (['p50', 'p95', 'Maximum'] as const).map((p) => percentile(MetricName.AuditBatchLatency, p)),
        6,
      ),
      graph(
        'Audit forwarder iterator age (ms)',
        [
          functions.auditForwarder.fn.metric('IteratorAge', {
            statistic: Stats.MAXIMUM,
            period: ONE_MINUTE,
            label: 'iterator age',
          }),
        ],
        6,
        { leftAnnotations: [alarmLine(ITERATOR_AGE_THRESHOLD_MS, 'alarm: 5 min')] },
      ),
    );
    // WE-13: the event path's figures; the same delays by trigger show what the sweep still catches.
    this.dashboard.addWidgets(
      graph('Tekton events', Object.values(eventMetrics())),
      graph(
        'End-detection delay (s): completionTime → recorded',
        (['p50', 'p95', 'Maximum'] as const).map((p) =>
          percentile(MetricName.EndDetectionDelay, p, ['trigger']),
        ),
      ),
      graph(
        'Release delay (s): releaseAt → lock cleaned up',
        (['p50', 'p95', 'Maximum'] as const).map((p) => percentile(MetricName.ReleaseDelay, p, ['trigger'])),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        lambdas.map((f) => f.fn.metricErrors({ label: f.node.id, period: ONE_MINUTE, statistic: Stats.SUM })),
      ),
      graph(
        'Function throttles',
        lambdas.map((f) =>
          f.fn.metricThrottles({ label: f.node.id, period: ONE_MINUTE, statistic: Stats.SUM }),
        ),
      ),
      graph(
        'Function duration p95 (ms)',
        lambdas.map((f) =>
          f.fn.metricDuration({ label: f.node.id, period: ONE_MINUTE, statistic: Stats.percentile(95) }),
        ),
      ),
    );
    // WE-14: items the sweep skipped because they threw (alarmed); each is retried by the next sweep.
    this.dashboard.addWidgets(graph('Sweep', Object.values(sweepMetrics())));
  }
}

function alarmLine(value: number, label: string): HorizontalAnnotation {
  return { value, label, color: '#d62728' };
}
