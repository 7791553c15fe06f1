/**
 * Tekton's CloudEvents, as the tekton-events-controller (v1.12+) sends them
 * (reference/tekton-cloudevents.md): on every PipelineRun change, the type its Succeeded condition
 * maps to, once per type and run (except `unknown`), POSTed in binary mode with the run in its
 * v1beta1 form (no apiVersion or kind) as `{"pipelineRun": …}`; retried with the SDK's backoff
 * (10 ms × 2^k, 10 retries) on network errors and 404/413/425/429/502/503/504, never on 500.
 * Best effort, as in Tekton: nothing is kept after the last retry.
 */
import { randomUUID } from 'node:crypto';
import { metadataOf, nameOf } from './object-meta.js';
import { PipelineRuns } from './resources.js';
import type { Change } from './store.js';

type Json = Record<string, unknown>;

const RETRIED = new Set([404, 413, 425, 429, 502, 503, 504]);
const MAX_RETRIES = 10;

export interface CloudEventEmitter {
  /** Where events go; undefined sends none (Tekton's `sink` unset). */
  setSink(url: string | undefined): void;
  observe(change: Change): void;
  /** Events sent and given up, for tests. */
  readonly counts: { sent: number; failed: number };
  /** Resolves when every send in flight has finished. */
  idle(): Promise<void>;
}

export function eventType(run: Json): string {
  const conditions = (run.status as Json | undefined)?.conditions;
  const succeeded = Array.isArray(conditions)
    ? (conditions as Json[]).find((c) => c.type === 'Succeeded')
    : undefined;
  if (!succeeded) return 'dev.tekton.event.pipelinerun.queued.v1';
  if (succeeded.status === 'True') return 'dev.tekton.event.pipelinerun.successful.v1';
  if (succeeded.status === 'False') return 'dev.tekton.event.pipelinerun.failed.v1';
  if (succeeded.reason === 'Started') return 'dev.tekton.event.pipelinerun.started.v1';
  if (succeeded.reason === 'Running') return 'dev.tekton.event.pipelinerun.running.v1';
  return 'dev.tekton.event.pipelinerun.unknown.v1';
}

/** The v1 run as Tekton's conversion gives it: no TypeMeta, taskRunTemplate's account at spec level. */
export function v1beta1Form(run: Json): Json {
  const { apiVersion: _a, kind: _k, ...rest } = structuredClone(run);
  const spec = { ...((rest.spec as Json | undefined) ?? {}) };
  const template = spec.taskRunTemplate as Json | undefined;
  if (template) {
    delete spec.taskRunTemplate;
    if (template.serviceAccountName) spec.serviceAccountName = template.serviceAccountName;
  }
  return { ...rest, spec };
}

export function cloudEventEmitter(
  options: { sleep?: (ms: number) => Promise<void> } = {},
): CloudEventEmitter {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let sink: string | undefined;
  const sentTypes = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const counts = { sent: 0, failed: 0 };

  async function deliver(url: string, headers: Record<string, string>, body: string): Promise<void> {
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      if (attempt > 0) await sleep(10 * 2 ** attempt);
      try {
        const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
        await response.arrayBuffer();
        if (response.status >= 200 && response.status < 300) {
          counts.sent++;
          return;
        }
        if (!RETRIED.has(response.status)) break;
      } catch {
        // A network error: retried, as Tekton's client does.
      }
    }
    counts.failed++;
  }

  return {
    counts,
    setSink(url) {
      sink = url;
    },
    observe(change) {
      if (change.resource !== PipelineRuns || change.type === 'DELETED' || !sink) return;
      const run = change.object as Json;
      const meta = metadataOf(change.object) as Json;
      const type = eventType(run);
      // Tekton's dedup: each type once per run (keyed by name), `unknown` every time its state changes.
      const key = `${type}/${meta.namespace}/${nameOf(change.object)}/${meta.uid}`;
      if (!type.endsWith('.unknown.v1')) {
        if (sentTypes.has(key)) return;
        sentTypes.add(key);
      }
      const headers = {
        'Content-Type': 'application/json',
        'Ce-Id': randomUUID(),
        'Ce-Source': `/apis///namespaces/${meta.namespace}//${nameOf(change.object)}`,
        'Ce-Specversion': '1.0',
        'Ce-Subject': nameOf(change.object),
        'Ce-Time': new Date().toISOString(),
        'Ce-Type': type,
      };
      const sending = deliver(sink, headers, JSON.stringify({ pipelineRun: v1beta1Form(run) })).finally(() =>
        inFlight.delete(sending),
      );
      inFlight.add(sending);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
