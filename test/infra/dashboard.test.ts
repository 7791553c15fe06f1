import { describe, expect, it } from 'vitest';
import { MetricName } from '../../functions/core/metric-name.js';
import { synth } from './synth.js';

interface Widget {
  type: string;
  properties: { title?: string; metrics?: unknown[]; markdown?: string };
}

describe('WfeDashboard', () => {
  const s = synth();
  const [dashboard] = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'));
  // The body is a Fn::Join around tokens (region, function and queue names); placeholders keep it JSON.
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const body = parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  const widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
  const widget = (title: string) => {
    const found = widgets.find((w) => w.properties.title === title);
    expect(found, `widget "${title}"`).toBeDefined();
    return JSON.stringify(found?.properties.metrics);
  };

  it('is named after the stack', () => {
    expect(dashboard?.Properties.DashboardName).toBe('wfe');
  });

  it('shows every metric the functions emit', () => {
    for (const name of Object.values(MetricName)) expect(body).toContain(name);
  });

  it('shows executions started, completed, failed, deduplicated and deferred', () => {
    const executions = widget('Executions');
    expect(executions).toContain(`SELECT SUM(${MetricName.PipelineRunCreations}) FROM wfe`);
    expect(executions).toContain(
      `SELECT SUM(${MetricName.ReconcilerTotal}) FROM wfe WHERE outcome = 'Completed'`,
    );
    expect(executions).toContain(
      `SELECT SUM(${MetricName.ReconcilerTotal}) FROM wfe WHERE outcome = 'Failed'`,
    );
    expect(executions).toContain(MetricName.Deduplicated);
    expect(executions).toContain(MetricName.CooldownDeferrals);
  });

  it('shows duration percentiles p50, p95 and p99, each line labelled by outcome and function', () => {
    const duration = widget('Execution duration (s)');
    expect(duration).toContain(MetricName.ReconcilerDuration);
    for (const p of ['p50', 'p95', 'p99']) {
      expect(duration).toContain(`', '${p}', 300)`);
      expect(duration).toContain(`"label":"\${PROP('Dim.outcome')} \${PROP('Dim.service')} ${p}"`);
    }
  });

  it('labels every percentile line by the dimensions its series are split by', () => {
    const dim = (name: string) => `\${PROP('Dim.${name}')}`;
    for (const [title, label] of [
      ['Lock hold time (s)', `${dim('service')} p95`],
      ['DataStorage batch latency (ms)', `${dim('service')} p95`],
      ['End-detection delay (s): completionTime → recorded', `${dim('trigger')} ${dim('service')} p95`],
      ['Release delay (s): releaseAt → lock cleaned up', `${dim('trigger')} ${dim('service')} p95`],
    ] as const)
      expect(widget(title)).toContain(`"label":"${label}"`);
    expect(body).not.toMatch(/"label":"p(50|95|99)"/);
  });

  it('shows the executions running and the locks held now, from the gauges the sweep publishes', () => {
    const now = widget('Running now');
    expect(now).toContain(`SELECT MAX(${MetricName.ExecutionsRunning}) FROM wfe GROUP BY cluster`);
    expect(now).toContain(`SELECT MAX(${MetricName.LocksHeld}) FROM wfe GROUP BY cluster`);
  });

  it('WE-16: a gauge is the sum over the clusters of each cluster’s count, each line the total, its parts hidden', () => {
    const metrics = JSON.parse(widget('Running now')) as [
      { expression: string; id: string; visible?: boolean },
    ][];
    const expressions = metrics.map(([m]) => m);
    const totals = expressions.filter((m) => m.visible !== false);
    expect(totals.map((m) => m.expression)).toEqual([
      expect.stringMatching(/^SUM\(\w+\)$/),
      expect.stringMatching(/^SUM\(\w+\)$/),
    ]);
    for (const total of totals) {
      const part = expressions.find((m) => m.id === /^SUM\((\w+)\)$/.exec(total.expression)?.[1]);
      expect(part?.expression).toMatch(/^SELECT MAX\(\w+\) FROM wfe GROUP BY cluster$/);
      expect(part?.visible).toBe(false);
    }
  });

  it('shows locks, lock hold time, the request queue and both DLQs', () => {
    expect(widget('Locks')).toContain(MetricName.LocksAcquired);
    expect(widget('Locks')).toContain(MetricName.LocksReleased);
    expect(widget('Lock hold time (s)')).toContain(MetricName.LockHoldSeconds);
    const queue = widget('Request queue');
    expect(queue).toContain('ApproximateNumberOfMessagesVisible');
    expect(queue).toContain('ApproximateAgeOfOldestMessage');
    expect(widget('Dead-letter queues').match(/ApproximateNumberOfMessagesVisible/g)).toHaveLength(3);
  });

  it('shows audit forwarding and the forwarder iterator age', () => {
    const audit = widget('Audit events');
    for (const name of [MetricName.AuditForwarded, MetricName.AuditFailed, MetricName.AuditDeadLettered])
      expect(audit).toContain(name);
    expect(widget('Audit forwarder iterator age (ms)')).toContain('IteratorAge');
  });

  it("shows each function's errors, throttles and duration", () => {
    for (const [title, metric] of [
      ['Function errors', 'Errors'],
      ['Function throttles', 'Throttles'],
      ['Function duration p95 (ms)', 'Duration'],
    ]) {
      expect(widget(title ?? '').match(new RegExp(`"${metric}"`, 'g'))).toHaveLength(5);
    }
  });

  it('lists every alarm', () => {
    const status = widgets.find((w) => w.type === 'alarm')?.properties as { alarms?: unknown[] } | undefined;
    expect(status?.alarms).toHaveLength(13);
  });
});
