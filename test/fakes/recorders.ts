/** Metrics, log and request-queue fakes that record what they were given. */

import type { MetricName, MetricUnit } from '../../functions/core/metric-name.js';
import type {
  EventQueue,
  LockTimer,
  Log,
  Metrics,
  RequestQueue,
  RunHint,
  TimerQueue,
} from '../../functions/core/ports.js';

export class RecordingMetrics implements Metrics {
  readonly entries: {
    name: MetricName;
    unit: MetricUnit;
    value: number;
    dimensions?: Record<string, string>;
  }[] = [];
  add(name: MetricName, unit: MetricUnit, value: number, dimensions?: Record<string, string>): void {
    this.entries.push({ name, unit, value, dimensions });
  }
  /** The total of a metric over the series that have these dimension values (and any others). */
  sum(name: MetricName, dimensions: Record<string, string> = {}): number {
    return this.entries
      .filter((e) => e.name === name && Object.entries(dimensions).every(([k, v]) => e.dimensions?.[k] === v))
      .reduce((total, e) => total + e.value, 0);
  }
}

type LogLine = { level: 'info' | 'warn'; message: string; fields?: Record<string, unknown> };

/** Every line, its keys (from `with`) merged into its fields; a log made with `with` records into the same lines. */
export class RecordingLog implements Log {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly keys: Record<string, string> = {},
  ) {}
  info(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, fields: this.fieldsOf(fields) });
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, fields: this.fieldsOf(fields) });
  }
  with(keys: Record<string, string>): RecordingLog {
    return new RecordingLog(this.lines, { ...this.keys, ...keys });
  }
  private fieldsOf(fields?: Record<string, unknown>) {
    return Object.keys(this.keys).length === 0 ? fields : { ...this.keys, ...fields };
  }
}

export class RecordingQueue implements RequestQueue {
  readonly deferred: { body: string; delaySeconds: number }[] = [];
  readonly deadLettered: { body: string; reason: string }[] = [];
  async defer(body: string, delaySeconds: number) {
    this.deferred.push({ body, delaySeconds });
  }
  async deadLetter(body: string, reason: string) {
    this.deadLettered.push({ body, reason });
    return `dead-letter-${this.deadLettered.length}`;
  }
}

/** The timer and events queues: what was sent, with its delay. */
export class RecordingTimers implements TimerQueue {
  readonly sent: { timer: LockTimer; delaySeconds: number }[] = [];
  async send(timer: LockTimer, delaySeconds: number) {
    this.sent.push({ timer: structuredClone(timer), delaySeconds });
  }
  /** Takes every timer sent so far, for a test to fire them. */
  take(): LockTimer[] {
    return this.sent.splice(0).map((s) => s.timer);
  }
}

export class RecordingEvents implements EventQueue {
  readonly sent: { message: RunHint; delaySeconds: number }[] = [];
  async send(message: RunHint, delaySeconds: number) {
    this.sent.push({ message: structuredClone(message), delaySeconds });
  }
}
