/**
 * The acceptance harness: the whole local system as `npm start` assembles it (startLocalSystem:
 * local SQS, built-in cluster and DataStorage, the three real handlers behind their event sources,
 * on the DynamoDB Local the suite shares), driven only from the outside:
 *
 *  - the queue: `wfe submit` (in process, through the CLI's own dispatcher) or a raw SQS message;
 *  - `wfe`: get / list / locks / release, with the working directory where `.wfe/dev.json` is;
 *  - the cluster API: the real @kubernetes/client-node with the kubeconfig the system wrote;
 *  - DataStorage's query endpoint.
 *
 * Settings are the suite's: runs of a few hundred milliseconds, a cooldown of 2 s, a reconcile tick
 * of 250 ms. Every wait is bounded (waitFor); nothing asserts after a fixed sleep.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  ApiException,
  CoreV1Api,
  type CoreV1Event,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, inject, vi } from 'vitest';
import type { CliContext } from '../../cli/command.js';
import { runCli } from '../../cli/dispatch.js';
import { WAIT_IN_PLACE_MS } from '../../functions/core/execute.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/aws/dynamodb-local.js';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from '../../local/system.js';
import { type ManifestOptions, manifest } from '../fixtures/manifests.js';

export const COOLDOWN_MS = 2000;
export const RUN_MS = 400;
export const RECONCILE_MS = 250;

/** A PipelineRun (or any custom object) as the cluster API returns it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
    resourceVersion?: string;
  };
  spec?: Record<string, unknown> & {
    params?: { name: string; value: string }[];
    taskRunTemplate?: { serviceAccountName?: string };
    timeouts?: { pipeline?: string };
    pipelineRef?: { resolver?: string; params?: { name: string; value: string }[] };
  };
  status?: Record<string, unknown> & {
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    childReferences?: { kind: string; name: string; pipelineTaskName?: string }[];
  };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** `wfe get NS/NAME -o json`. */
export interface WorkflowExecution {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  spec: Record<string, unknown> & {
    targetResource?: string;
    workflowRef?: { workflowId: string; version: string; containerImage: string };
    parameters?: Record<string, string>;
    confidence?: number;
  };
  status: {
    phase: 'Pending' | 'Running' | 'Completed' | 'Failed';
    startTime?: string;
    completionTime?: string;
    duration?: string;
    pipelineRunRef?: { name: string };
    pipelineRunStatus?: {
      status: string;
      reason?: string;
      message?: string;
      completedTasks?: number;
      totalTasks?: number;
    };
    failureDetails?: {
      failedTaskIndex: number;
      failedTaskName: string;
      reason: string;
      message: string;
      exitCode?: number;
      failedAt: string;
      executionTimeBeforeFailure: string;
      naturalLanguageSummary: string;
      wasExecutionFailure: boolean;
    };
    deduplicatedBy?: string;
    conditions: Condition[];
  };
}

/** `wfe locks -o json` items. */
export interface LockView {
  key: string;
  cluster: string;
  target: string;
  holder: string;
  state: 'acquired' | 'running' | 'cooling';
  pipelineRunName: string;
  acquiredAt: string;
  releaseAt?: string;
  [key: string]: unknown;
}

/** One event as DataStorage's query endpoint returns it. */
export interface AuditEvent {
  event_id: string;
  version: string;
  event_type: string;
  event_timestamp: string;
  event_category: string;
  event_action: string;
  event_outcome: string;
  actor_type?: string;
  actor_id?: string;
  resource_type?: string;
  resource_id?: string;
  correlation_id: string;
  namespace?: string | null;
  event_data: Record<string, unknown>;
}

export interface AuditPage {
  data: AuditEvent[];
  pagination: { limit: number; offset: number; total: number; has_more: boolean };
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that. On the
 * deadline it throws, naming what was awaited and what was last seen.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 150;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A short random suffix: every test has its own names and targets, so tests run side by side. */
export const uid = () => randomBytes(4).toString('hex');

/** A test's own execution name and target. */
export function unique(prefix: string) {
  const id = uid();
  return { name: `${prefix}-${id}`, target: `acc-${id}/Deployment/${prefix}` };
}

export interface AcceptanceOptions {
  /** Extra function environment (COOLDOWN_PERIOD, EXECUTION_NAMESPACE, …). */
  env?: Record<string, string>;
  runDurationMs?: number;
  reconcileIntervalMs?: number;
  /** Another table name, to restart a system on the same state. */
  tableName?: string;
  /** A working directory to reuse (restart); default a fresh one. */
  dir?: string;
  /** Keep the directory on stop (a restart reuses it). */
  keepDir?: boolean;
  /** Collect the functions' EMF metric lines (what CloudWatch would read from their output). */
  metrics?: boolean;
}

export interface Harness {
  system: LocalSystem;
  /** The working directory `wfe` runs in (its `.wfe/dev.json` names this system). */
  dir: string;
  /** The execution namespace, where PipelineRuns and their Events are. */
  namespace: string;
  cooldownMs: number;
  tableName: string;
  /** The EMF metrics the functions emitted (empty unless started with `metrics: true`). */
  metrics: EmfCapture;
  kc: KubeConfig;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  /** `wfe …` in process, as the binary would run it here. */
  wfe(...argv: string[]): Promise<CliResult>;
  /** `wfe submit -f` of one manifest (written to a file first); fails the test on a non-zero exit. */
  submit(body: object): Promise<void>;
  /** A raw message on the request queue (what any SQS client may send). */
  send(body: string): Promise<void>;
  /** Waits until the request queue holds no message, visible, in flight or delayed. */
  queueDrained(): Promise<void>;
  /** Messages in the request queue's dead-letter queue. */
  deadLettered(): Promise<number>;
  /** `wfe get NS/NAME -o json`; undefined when not found. */
  get(name: string, namespace?: string): Promise<WorkflowExecution | undefined>;
  /** Polls `wfe get` until `accept` holds. */
  waitForExecution(
    name: string,
    accept: (we: WorkflowExecution) => boolean,
    what: string,
    options?: WaitOptions & { namespace?: string },
  ): Promise<WorkflowExecution>;
  waitForPhase(
    name: string,
    phase: WorkflowExecution['status']['phase'],
    options?: WaitOptions & { namespace?: string },
  ): Promise<WorkflowExecution>;
  /** `wfe locks -o json`. */
  locks(): Promise<LockView[]>;
  /** GET the PipelineRun through the cluster API; undefined on 404. */
  pipelineRun(name: string, namespace?: string): Promise<KubeObject | undefined>;
  taskRun(name: string, namespace?: string): Promise<KubeObject | undefined>;
  /**
   * Status().Update through the cluster API, as Kubernaut's tests drive Tekton: reads the object,
   * lets `change` rewrite its status, and replaces the status subresource (retried on a conflict).
   */
  updateStatus(
    plural: 'pipelineruns' | 'taskruns',
    name: string,
    change: (status: NonNullable<KubeObject['status']>) => KubeObject['status'],
  ): Promise<KubeObject>;
  /** Core Events in the execution namespace about one object. */
  events(involvedName: string): Promise<CoreV1Event[]>;
  /** DataStorage's query endpoint, with event_category=workflow unless given. */
  audit(query: Record<string, string>): Promise<AuditPage>;
  stop(): Promise<void>;
}

/** A manifest with a test's name and target; the simulator reads WFE_SIMULATE from its parameters. */
export function request(
  o: ManifestOptions & { simulate?: 'succeed' | 'fail' | 'oom' | 'timeout' | 'hang'; runFor?: string },
) {
  const parameters = {
    ...(o.parameters ?? { NAMESPACE: 'production', DEPLOYMENT_NAME: 'my-service', REPLICA_COUNT: '3' }),
    ...(o.simulate ? { WFE_SIMULATE: o.simulate } : {}),
    ...(o.runFor ? { WFE_SIMULATE_DURATION: o.runFor } : {}),
  };
  return manifest({ ...o, parameters });
}

const isNotFound = (err: unknown) => err instanceof ApiException && err.code === 404;

export async function startAcceptance(options: AcceptanceOptions = {}): Promise<Harness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'wfe-acceptance-')));
  const tableName = options.tableName ?? `wfe-acc-${randomUUID().slice(0, 8)}`;
  const systemOptions: LocalSystemOptions = {
    env: { COOLDOWN_PERIOD: `${COOLDOWN_MS / 1000}s`, ...options.env },
    reconcileIntervalMs: options.reconcileIntervalMs ?? RECONCILE_MS,
    runDurationMs: options.runDurationMs ?? RUN_MS,
    stateDir: join(dir, '.wfe'),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName,
    // Each message is handled as soon as it is seen; concurrent tests still share batches.
    queue: { batchingWindowSeconds: 0 },
  };
  const metrics = new EmfCapture();
  if (options.metrics) metrics.install();
  let system: LocalSystem;
  try {
    system = await startLocalSystem(systemOptions);
  } catch (err) {
    metrics.uninstall();
    throw err;
  }
  const { endpoints } = system;
  const kc = new KubeConfig();
  kc.loadFromFile(endpoints.cluster.kubeconfig);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = endpoints.cluster.namespace;
  const sqs = new SQSClient({
    endpoint: endpoints.sqs.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });

  async function wfe(...argv: string[]): Promise<CliResult> {
    let out = '';
    let err = '';
    const context: CliContext = {
      out: { write: (text: string) => (out += text) },
      err: { write: (text: string) => (err += text) },
      env: { ...process.env, WFE_STACK: undefined },
      cwd: dir,
      readStdin: async () => '',
      stopSignal: () => new AbortController().signal,
    };
    const code = await runCli(argv, context);
    return { code, out, err };
  }

  async function get(name: string, ns = 'default'): Promise<WorkflowExecution | undefined> {
    const result = await wfe('get', `${ns}/${name}`, '-o', 'json');
    if (result.code !== 0) {
      if (/not found/.test(result.err)) return undefined;
      throw new Error(`wfe get ${ns}/${name} exited ${result.code}: ${result.err}`);
    }
    return JSON.parse(result.out) as WorkflowExecution;
  }

  async function waitForExecution(
    name: string,
    accept: (we: WorkflowExecution) => boolean,
    what: string,
    opts: WaitOptions & { namespace?: string } = {},
  ): Promise<WorkflowExecution> {
    let last: WorkflowExecution | undefined;
    try {
      return await waitFor(
        `${opts.namespace ?? 'default'}/${name} ${what}`,
        async () => {
          last = await get(name, opts.namespace);
          return last && accept(last) ? last : undefined;
        },
        opts,
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\nlast status: ${JSON.stringify(last?.status ?? 'not found', null, 1)}`,
      );
    }
  }

  async function readObject(plural: string, name: string, ns: string): Promise<KubeObject | undefined> {
    try {
      return (await custom.getNamespacedCustomObject({
        group: 'tekton.dev',
        version: 'v1',
        namespace: ns,
        plural,
        name,
      })) as KubeObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  return {
    system,
    dir,
    namespace,
    cooldownMs: system.settings.cooldownMs,
    tableName,
    metrics,
    kc,
    custom,
    core,
    wfe,
    async submit(body: object) {
      const file = join(dir, `request-${uid()}.json`);
      await writeFile(file, JSON.stringify(body));
      const result = await wfe('submit', '-f', file);
      if (result.code !== 0) throw new Error(`wfe submit exited ${result.code}: ${result.err}`);
    },
    async send(body: string) {
      await sqs.send(new SendMessageCommand({ QueueUrl: endpoints.sqs.queueUrl, MessageBody: body }));
    },
    async queueDrained() {
      await waitFor('the request queue to drain', async () => {
        const out = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: endpoints.sqs.queueUrl, AttributeNames: ['All'] }),
        );
        const a = out.Attributes ?? {};
        const left =
          Number(a.ApproximateNumberOfMessages ?? 0) +
          Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
        return left === 0;
      });
    },
    async deadLettered() {
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: endpoints.sqs.dlqUrl, AttributeNames: ['All'] }),
      );
      const a = out.Attributes ?? {};
      return (
        Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
    get,
    waitForExecution,
    waitForPhase: (name, phase, opts) =>
      waitForExecution(name, (we) => we.status.phase === phase, `to be ${phase}`, opts),
    async locks() {
      const result = await wfe('locks', '-o', 'json');
      if (result.code !== 0) throw new Error(`wfe locks exited ${result.code}: ${result.err}`);
      return (JSON.parse(result.out) as { items: LockView[] }).items;
    },
    pipelineRun: (name, ns = namespace) => readObject('pipelineruns', name, ns),
    async updateStatus(plural, name, change) {
      for (let attempt = 0; ; attempt++) {
        const current = await readObject(plural, name, namespace);
        if (!current) throw new Error(`${plural} ${namespace}/${name} not found`);
        const body = { ...current, status: change(structuredClone(current.status ?? {})) };
        try {
          return (await custom.replaceNamespacedCustomObjectStatus({
            group: 'tekton.dev',
            version: 'v1',
            namespace,
            plural,
            name,
            body,
          })) as KubeObject;
        } catch (err) {
          if (!(err instanceof ApiException && err.code === 409) || attempt >= 10) throw err;
        }
      }
    },
    taskRun: (name, ns = namespace) => readObject('taskruns', name, ns),
    async events(involvedName: string) {
      // The built-in API selects custom resources' fields only; filtering here works on any cluster.
      const list = await core.listNamespacedEvent({ namespace });
      return list.items.filter((e) => e.involvedObject.name === involvedName);
    },
    async audit(query: Record<string, string>) {
      const params = new URLSearchParams({ event_category: 'workflow', limit: '1000', ...query });
      const response = await fetch(`${endpoints.dataStorage.url}/api/v1/audit/events?${params}`);
      if (response.status !== 200)
        throw new Error(`DataStorage query answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as AuditPage;
    },
    async stop() {
      sqs.destroy();
      await system.stop();
      metrics.uninstall();
      if (!options.keepDir && !process.env.WFE_KEEP_ACCEPTANCE)
        await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An acceptance file's one system, started before its tests and stopped after them, with the
 * suite's settings: tests run side by side (each on its own names and targets) with two minutes each:
 * 25 executions side by side in one process, with the event path, take 10–40 s each on a 2-CPU
 * machine that runs other test files too (a quiet run: 3–13 s).
 * The tests name `h` at the file's top level, before the system exists, so `h` hands on each read
 * to the harness once it has started.
 */
export function acceptanceSystem(options: AcceptanceOptions = {}, testTimeout = 120_000): Harness {
  vi.setConfig({ maxConcurrency: 32, testTimeout });
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startAcceptance(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as Harness, {
    get(_, key) {
      if (!started) throw new Error(`the acceptance system is not started (reading h.${String(key)})`);
      return Reflect.get(started, key);
    },
  });
}

/** One metric value from an EMF blob. */
export interface EmfSample {
  name: string;
  unit: string;
  value: number;
  dimensions: Record<string, string>;
}

/**
 * The functions' embedded-metric-format output. Lambda's standard output is what CloudWatch turns
 * into metrics; locally `startLocalSystem` turns metrics off (POWERTOOLS_METRICS_DISABLED) and,
 * with POWERTOOLS_DEV, Powertools prints them with the global console. So this turns them on for
 * the system under test and keeps every line that is an EMF blob.
 */
export class EmfCapture {
  readonly samples: EmfSample[] = [];
  private restore: (() => void) | undefined;

  install(): void {
    if (this.restore) return;
    const saved = {
      disabled: process.env.POWERTOOLS_METRICS_DISABLED,
      dev: process.env.POWERTOOLS_DEV,
      log: console.log,
    };
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    process.env.POWERTOOLS_DEV = 'true';
    const original = console.log;
    console.log = (...args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === 'string' && this.take(args[0])) return;
      original(...args);
    };
    this.restore = () => {
      console.log = saved.log;
      restoreEnv('POWERTOOLS_METRICS_DISABLED', saved.disabled);
      restoreEnv('POWERTOOLS_DEV', saved.dev);
    };
  }

  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** Samples of one metric, optionally with these dimension values. */
  of(name: string, dimensions: Record<string, string> = {}): EmfSample[] {
    return this.samples.filter(
      (s) => s.name === name && Object.entries(dimensions).every(([k, v]) => s.dimensions[k] === v),
    );
  }

  /** The sum of a counter's values. */
  sum(name: string, dimensions: Record<string, string> = {}): number {
    return this.of(name, dimensions).reduce((total, s) => total + s.value, 0);
  }

  private take(line: string): boolean {
    if (!line.startsWith('{"_aws"')) return false;
    let blob: Record<string, unknown> & {
      _aws?: {
        CloudWatchMetrics?: { Dimensions?: string[][]; Metrics?: { Name: string; Unit?: string }[] }[];
      };
    };
    try {
      blob = JSON.parse(line);
    } catch {
      return false;
    }
    for (const directive of blob._aws?.CloudWatchMetrics ?? []) {
      const dimensions: Record<string, string> = {};
      for (const key of (directive.Dimensions ?? []).flat()) dimensions[key] = String(blob[key]);
      for (const metric of directive.Metrics ?? []) {
        const raw = blob[metric.Name];
        for (const value of Array.isArray(raw) ? raw : [raw])
          if (typeof value === 'number')
            this.samples.push({ name: metric.Name, unit: metric.Unit ?? '', value, dimensions });
      }
    }
    return true;
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The condition of a type, if set. */
export const condition = (we: WorkflowExecution, type: string) =>
  we.status.conditions.find((c) => c.type === type);

/** A PipelineRun's parameter, by name. */
export const param = (run: KubeObject, name: string) => run.spec?.params?.find((p) => p.name === name)?.value;

/** Waits until DataStorage holds `count` events of a type for a correlation id, and returns them. */
export async function auditEventsOf(
  h: Harness,
  correlationId: string,
  eventType: string,
  count = 1,
  options: WaitOptions = {},
): Promise<AuditEvent[]> {
  return waitFor(
    `${count} ${eventType} audit event(s) for ${correlationId} in DataStorage`,
    async () => {
      const page = await h.audit({ correlation_id: correlationId, event_type: eventType });
      return page.pagination.total >= count ? page.data : undefined;
    },
    options,
  );
}

/** Waits until Tekton (the simulator in auto mode) has started the run: startTime and a TaskRun. */
export function runStarted(h: Harness, run: string): Promise<KubeObject> {
  return waitFor(`PipelineRun ${run} to start`, async () => {
    const found = await h.pipelineRun(run);
    return found?.status?.startTime && found.status.childReferences?.length ? found : undefined;
  });
}

/** A Succeeded condition as Tekton writes it. */
export function succeededCondition(status: 'True' | 'False' | 'Unknown', reason: string, message: string) {
  return { type: 'Succeeded', status, reason, message, lastTransitionTime: new Date().toISOString() };
}

/** Kubernaut's simulatePipelineRunCompletion: Succeeded True/"Succeeded" with a completionTime. */
export function completeRun(h: Harness, run: string, completionTime = new Date().toISOString()) {
  return h.updateStatus('pipelineruns', run, (status) => ({
    ...status,
    completionTime,
    conditions: [succeededCondition('True', 'Succeeded', 'All Tasks have completed executing')],
  }));
}

/** A Submitted request whose run is held Running (WFE_SIMULATE=hang) until the test acts on it. */
export async function runningHeld(h: Harness, name: string, target: string, extra: ManifestOptions = {}) {
  await h.submit(request({ ...extra, name, target, simulate: 'hang' }));
  const running = await h.waitForPhase(name, 'Running', { namespace: extra.namespace });
  const runName = running.status.pipelineRunRef?.name;
  if (!runName) throw new Error(`${name} is Running without a pipelineRunRef`);
  return { running, runName, run: await runStarted(h, runName) };
}

/** SHA-256 of the target, as DD-WE-003 names the run: "wfe-" + 16 hex characters. */
export function expectedRunName(target: string): string {
  return `wfe-${createHash('sha256').update(target, 'utf8').digest('hex').slice(0, 16)}`;
}

export interface CooledWaiter {
  /** The execution whose end started the cooldown, Completed. */
  first: WorkflowExecution;
  /** Its cooldown's end: completionTime + the cooldown. */
  releaseAt: number;
  /** The execution sent for the same target during the cooldown, once started. */
  waiter: WorkflowExecution;
  /** A look at the waiter while it was deferred: Pending, CooldownActive True. */
  pending: WorkflowExecution;
}

/**
 * Ends one execution on a new target and sends a second for that target while it cools (and, in
 * the same moment, whatever `alongside` sends), then follows the second until it starts, keeping a
 * look at it while it was deferred. When execute took the request up too late to defer it (the
 * test itself slow on a loaded machine, or within the cooldown's last second, which execute waits
 * out in place) or no look fell inside the deferral, the round proves nothing either way, so it is
 * set up again on a new target, up to three times. A request taken up in time that was not
 * deferred fails the test: when it was taken up is its record's creation time.
 */
export async function waiterDuringCooldown(
  h: Harness,
  prefix: string,
  alongside: () => Promise<unknown> = async () => {},
): Promise<CooledWaiter> {
  for (let round = 1; ; round++) {
    const { name, target } = unique(prefix);
    await h.submit(request({ name, target }));
    const first = await h.waitForPhase(name, 'Completed', { intervalMs: 50 });
    const releaseAt = Date.parse(first.status.completionTime!) + h.cooldownMs;
    const waiterName = `${prefix}-next-${name.slice(-8)}`;
    await Promise.all([h.submit(request({ name: waiterName, target })), alongside()]);
    let pending: WorkflowExecution | undefined;
    const waiter = await h.waitForExecution(
      waiterName,
      (we) => {
        if (!pending && condition(we, 'CooldownActive')?.status === 'True') pending = we;
        return Boolean(we.status.startTime);
      },
      'to start after the cooldown',
      { timeoutMs: h.cooldownMs + 30_000, intervalMs: 50 },
    );
    const takenUpAt = Date.parse(waiter.metadata.creationTimestamp);
    // Execute waits out in place a cooldown that ends within WAIT_IN_PLACE_MS rather than defer it.
    const inTime = takenUpAt < releaseAt - WAIT_IN_PLACE_MS - 100;
    if (inTime) {
      expect(
        condition(waiter, 'CooldownActive'),
        `${waiterName}, taken up during the cooldown`,
      ).toMatchObject({
        status: 'False',
        reason: 'CooldownElapsed',
      });
    }
    if (inTime && pending) return { first, releaseAt, waiter, pending };
    const why = inTime
      ? 'no look fell inside its deferral'
      : `taken up ${releaseAt - takenUpAt} ms before the end`;
    expect(round, `a waiter deferred and seen deferred in 3 rounds (last: ${why})`).toBeLessThan(3);
    console.log(`${prefix}: the waiter proves nothing (${why}); set up again`);
  }
}
