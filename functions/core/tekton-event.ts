/**
 * The CloudEvents sink (WE-13): Tekton POSTs an event for every PipelineRun state change to
 * /tekton/<token>. Tekton cannot sign requests, so the token in the path is the only credential:
 * compared in constant time, and a wrong one gets 404 and nothing else (no parsing, no queue).
 * Each cluster has its own token (WE-16): the token says which cluster's Tekton sent the event.
 * A good event is only enqueued, as a hint naming the run and its cluster; the consumer reads the
 * run from that cluster. Tekton retries 503 (and 404, 429) but not 500 or 400 (reference/tekton-cloudevents.md §5):
 * transient trouble answers 503, a request that can never be read answers 400.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { MetricName } from './metric-name.js';
import type { EventQueue, Log, Metrics, RunHint } from './ports.js';

export interface SinkRequest {
  method: string;
  path: string;
  /** Header names in lower case (HTTP/2 sends them so; HTTP/1.1 names are case-insensitive). */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface SinkResponse {
  status: 202 | 400 | 404 | 405 | 503;
  body?: string;
}

export interface SinkDeps {
  /** Each cluster's token, by cluster name (Secrets Manager, cached by the adapter). */
  tokens(): Promise<ReadonlyMap<string, string>>;
  events: EventQueue;
  metrics: Metrics;
  log: Log;
}

const PATH = /^\/tekton\/([^/]+)\/?$/;
const PIPELINE_RUN_TYPE = /^dev\.tekton\.event\.pipelinerun\.[a-z]+\.v1$/;

const pipelineRunData = z.object({
  pipelineRun: z.object({
    metadata: z.object({
      name: z.string().check(z.minLength(1)),
      namespace: z.string().check(z.minLength(1)),
    }),
    status: z.optional(z.object({ completionTime: z.optional(z.string()) })),
  }),
});

const structured = z.object({
  specversion: z.string(),
  type: z.string(),
  data: z.optional(z.unknown()),
  data_base64: z.optional(z.string()),
});

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Equal-length digests, so neither the comparison nor its length gives the token away. */
export function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export async function receiveEvent(request: SinkRequest, deps: SinkDeps): Promise<SinkResponse> {
  const given = PATH.exec(request.path)?.[1];
  let tokens: ReadonlyMap<string, string>;
  try {
    tokens = await deps.tokens();
  } catch (err) {
    deps.log.warn('events sink cannot read its tokens; Tekton retries', { error: (err as Error).message });
    return { status: 503 };
  }
  const cluster = given === undefined ? undefined : clusterOfToken(decodeURIComponentSafe(given), tokens);
  if (cluster === undefined) {
    deps.metrics.add(MetricName.EventsIgnored, 'Count', 1, { reason: 'bad-token' });
    return { status: 404 };
  }
  if (request.method !== 'POST') return { status: 405 };
  deps.metrics.add(MetricName.EventsReceived, 'Count', 1);
  const event = readCloudEvent(request);
  if (!event.ok) {
    deps.metrics.add(MetricName.EventsIgnored, 'Count', 1, { reason: 'bad-shape' });
    return { status: 400, body: event.reason };
  }
  if (!PIPELINE_RUN_TYPE.test(event.type)) {
    // TaskRun and CustomRun events share the cluster's one sink; the execution follows its PipelineRun.
    deps.metrics.add(MetricName.EventsIgnored, 'Count', 1, { reason: 'other-type' });
    return { status: 202 };
  }
  const data = pipelineRunData.safeParse(event.data);
  if (!data.success) {
    deps.metrics.add(MetricName.EventsIgnored, 'Count', 1, { reason: 'bad-shape' });
    return {
      status: 400,
      body: 'data is not {"pipelineRun": {...}} with metadata.name and metadata.namespace',
    };
  }
  const run = data.data.pipelineRun;
  const hint: RunHint = {
    kind: 'run',
    cluster,
    namespace: run.metadata.namespace,
    name: run.metadata.name,
    type: event.type,
    ...(run.status?.completionTime ? { completionTime: run.status.completionTime } : {}),
  };
  try {
    await deps.events.send(hint, 0);
  } catch (err) {
    deps.log.warn('events queue unavailable; Tekton retries', { error: (err as Error).message });
    return { status: 503 };
  }
  return { status: 202 };
}

/** The cluster whose token was given; every token is compared, so the time taken tells none of them apart. */
function clusterOfToken(given: string, tokens: ReadonlyMap<string, string>): string | undefined {
  let found: string | undefined;
  for (const [cluster, token] of tokens) if (sameToken(given, token) && found === undefined) found = cluster;
  return found;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

type CloudEvent = { ok: true; type: string; data: unknown } | { ok: false; reason: string };

/** Binary mode (attributes in Ce-* headers, the data as the body) or structured mode (one JSON envelope). */
function readCloudEvent(request: SinkRequest): CloudEvent {
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('application/cloudevents+json')) {
    const envelope = structured.safeParse(body);
    if (!envelope.success) return { ok: false, reason: 'structured event without specversion and type' };
    const { type, data, data_base64 } = envelope.data;
    if (data === undefined && data_base64 !== undefined) {
      try {
        return { ok: true, type, data: JSON.parse(Buffer.from(data_base64, 'base64').toString('utf8')) };
      } catch {
        return { ok: false, reason: 'data_base64 is not JSON' };
      }
    }
    return { ok: true, type, data };
  }
  const type = request.headers['ce-type'];
  if (!type || !request.headers['ce-specversion'])
    return { ok: false, reason: 'binary event without Ce-Type and Ce-Specversion' };
  return { ok: true, type, data: body };
}
