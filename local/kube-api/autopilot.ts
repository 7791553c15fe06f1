/**
 * Auto mode of the Tekton simulator, for `npm start`: every PipelineRun created is started after
 * a short delay and finished after its run duration, with the outcome its params ask for:
 *
 *   WFE_SIMULATE = succeed (default) | fail | oom | timeout | hang
 *   WFE_SIMULATE_DURATION = a Go duration such as 5s (default: the simulator's run duration)
 *
 * spec.timeouts.pipeline is honoured on real timers: a run still going when it expires ends
 * PipelineRunTimeout, as Tekton's timeout handling does ("hang" relies on it, or runs forever).
 */
import { parseGoDuration } from '../go-duration.js';
import { metadataOf, nameOf } from './object-meta.js';
import { isJsonObject, type JsonObject } from './patch.js';
import { PipelineRuns } from './resources.js';
import { TektonSimulator } from './simulator.js';
import type { Change } from './store.js';

export const OUTCOMES = ['succeed', 'fail', 'oom', 'timeout', 'hang'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface AutopilotOptions {
  runDurationMs: number;
  startDelayMs: number;
}

function param(run: JsonObject, name: string): string | undefined {
  const spec = isJsonObject(run.spec) ? run.spec : {};
  const params = Array.isArray(spec.params) ? spec.params : [];
  const found = params.find((p) => isJsonObject(p) && p.name === name);
  return isJsonObject(found) && typeof found.value === 'string' ? found.value : undefined;
}

const isPending = (run: JsonObject) => isJsonObject(run.spec) && run.spec.status === 'PipelineRunPending';

export class Autopilot {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();

  constructor(
    private readonly simulator: TektonSimulator,
    private readonly options: AutopilotOptions,
  ) {}

  observe(change: Change): void {
    if (change.resource !== PipelineRuns) return;
    const namespace = String(metadataOf(change.object).namespace);
    const name = nameOf(change.object);
    const key = `${namespace}/${name}`;
    if (change.type === 'DELETED') {
      this.cancelTimers(key);
      return;
    }
    const hasStarted = isJsonObject(change.object.status) && Boolean(change.object.status.startTime);
    if (hasStarted || this.timers.has(key)) return;
    if (isPending(change.object)) {
      if (change.type === 'ADDED') this.guard(() => this.simulator.pending(namespace, name));
      return;
    }
    this.after(key, this.options.startDelayMs, () => this.run(namespace, name, key));
  }

  /** Ends every timer: nothing moves after the server has closed. */
  stop(): void {
    for (const key of [...this.timers.keys()]) this.cancelTimers(key);
  }

  private run(namespace: string, name: string, key: string): void {
    const run = this.simulator.start(namespace, name) as unknown as JsonObject;
    const requested = param(run, 'WFE_SIMULATE') ?? 'succeed';
    const durationText = param(run, 'WFE_SIMULATE_DURATION');
    const duration = (durationText ? parseGoDuration(durationText) : undefined) ?? this.options.runDurationMs;
    const spec = isJsonObject(run.spec) ? run.spec : {};
    const timeouts = isJsonObject(spec.timeouts) ? spec.timeouts : {};
    const limit = typeof timeouts.pipeline === 'string' ? parseGoDuration(timeouts.pipeline) : undefined;
    // "0" means no timeout, as in Tekton.
    if (limit && limit > 0 && (requested === 'hang' || limit < duration))
      this.after(key, limit, () => this.simulator.timeOut(namespace, name));
    if (requested !== 'hang')
      this.after(key, Math.max(0, duration), () => this.finish(namespace, name, requested));
  }

  private finish(namespace: string, name: string, requested: string): void {
    const run = this.simulator.get(namespace, name) as unknown as JsonObject;
    const tasks = this.simulator.tasksOf(run);
    const last = tasks[tasks.length - 1] as string;
    switch (requested as Outcome) {
      case 'succeed':
        this.simulator.succeed(namespace, name);
        return;
      case 'fail':
        this.simulator.fail(namespace, name, { failedTask: { name: last, exitCode: 1 } });
        return;
      case 'oom':
        this.simulator.fail(namespace, name, {
          failedTask: { name: last, exitCode: 137, reason: 'OOMKilled' },
        });
        return;
      case 'timeout':
        this.simulator.timeOut(namespace, name);
        return;
      default:
        this.simulator.fail(namespace, name, {
          reason: 'InvalidParamValue',
          message: `invalid value for param WFE_SIMULATE: "${requested}" should be one of ${OUTCOMES.join(', ')}`,
        });
    }
  }

  private after(key: string, ms: number, action: () => void): void {
    let timers = this.timers.get(key);
    if (!timers) {
      timers = new Set();
      this.timers.set(key, timers);
    }
    const owned = timers;
    const timer = setTimeout(() => {
      owned.delete(timer);
      this.guard(action);
    }, ms);
    owned.add(timer);
  }

  private cancelTimers(key: string): void {
    for (const timer of this.timers.get(key) ?? []) clearTimeout(timer);
    this.timers.delete(key);
  }

  /** A run deleted while its timer was pending is simply gone; anything else is reported. */
  private guard(action: () => void): void {
    try {
      action();
    } catch (err) {
      if (!TektonSimulator.isGone(err)) console.error('kube-api simulator:', err);
    }
  }
}
