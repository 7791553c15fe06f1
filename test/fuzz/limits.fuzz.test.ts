/**
 * Property-based tests at the system's limits (SPEC WE-15, §6): sizes near every limit (the item,
 * the message, the string fields), depth, and control and bidi characters in every field. For any
 * request and any run status, every item the system writes is within DynamoDB's 400 KB, counted
 * as DynamoDB counts it, and every request ends with a record or a dead letter with its reason.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemBytes, MAX_ITEM_BYTES } from '../../functions/adapters/dynamodb/item-size.js';
import { auditItem, executionItem, lockItem } from '../../functions/adapters/dynamodb/items.js';
import { execute } from '../../functions/core/execute.js';
import { MAX_REQUEST_BYTES, MAX_REQUEST_DEPTH, parseRequest } from '../../functions/core/manifest.js';
import { pipelineRunName } from '../../functions/core/pipeline-run.js';
import { reconcile } from '../../functions/core/reconcile.js';
import type { StateChange } from '../../functions/core/state-change.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from '../fakes/recorders.js';
import { maximumRequest } from '../fixtures/hostile.js';
import { manifest } from '../fixtures/manifests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const NS = 'kubernaut-workflows';
const TARGET = 'default/deployment/test-app';

/** Characters that probe every rule: C0, DEL, C1, bidi, multi-byte, a lone surrogate, JSON's own. */
const HOSTILE_CHARS = [
  '\u0000',
  '\u001b',
  '\t',
  '\n',
  '\u007f',
  '\u0085',
  '\u202e',
  '\u2069',
  '€',
  '😀',
  '\ud800',
  '"',
  '\\',
  '[',
  '{',
];
const hostileChar = fc.constantFrom(...HOSTILE_CHARS);

/** A string of about `size` characters, cheap to build at any size: a repeated unit around a probe. */
const sized = (maxSize: number) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: maxSize }),
      fc.constantFrom('a', '€', '😀', 'x '),
      hostileChar,
      fc.boolean(),
    )
    .map(
      ([size, unit, probe, withProbe]) =>
        unit.repeat(Math.ceil(size / unit.length)) + (withProbe ? probe : ''),
    );

const FIELDS = [
  'name',
  'namespace',
  'target',
  'workflowId',
  'version',
  'image',
  'parameter',
  'rationale',
  'annotation',
  'label',
  'maximum',
] as const;

function request(field: (typeof FIELDS)[number], value: string): string {
  if (field === 'maximum') return maximumRequest('we-max');
  const m = manifest() as ReturnType<typeof manifest> & Record<string, never>;
  const spec = m.spec as Record<string, unknown> & typeof m.spec;
  const metadata = m.metadata as Record<string, unknown> & typeof m.metadata;
  switch (field) {
    case 'name':
      metadata.name = value;
      break;
    case 'namespace':
      metadata.namespace = value;
      break;
    case 'target':
      spec.targetResource = value;
      break;
    case 'workflowId':
      spec.workflowRef.workflowId = value;
      break;
    case 'version':
      spec.workflowRef.version = value;
      break;
    case 'image':
      spec.workflowRef.containerImage = value;
      break;
    case 'parameter':
      (spec.parameters as Record<string, string>).VALUE = value;
      break;
    case 'rationale':
      spec.rationale = value;
      break;
    case 'annotation':
      metadata.annotations = { note: value };
      break;
    case 'label':
      metadata.labels = { team: value };
      break;
  }
  return JSON.stringify(m);
}

function system() {
  const store = new MemoryStore();
  const cluster = new MemoryCluster();
  const queue = new RecordingQueue();
  const clock = fixedClock('2026-03-01T10:00:00Z');
  const written: number[] = [];
  store.beforeWrite = (change: StateChange) => {
    const now = clock.now();
    for (const { next, expectVersion } of change.executions ?? [])
      written.push(itemBytes(executionItem(next, expectVersion + 1, now)));
    for (const event of change.audit ?? []) written.push(itemBytes(auditItem(event)));
    if (change.lock?.op === 'put') written.push(itemBytes(lockItem(change.lock.lock)));
  };
  const ports = {
    store,
    clusters: () => cluster,
    clock,
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
  };
  const settings = {
    clusters: [{ name: 'default', namespace: NS }],
    defaultCluster: 'default',
    cooldownMs: 10_000,
    leaseMs: 15 * 60_000,
  };
  const executeDeps = {
    ...ports,
    queue,
    settings: { ...settings, serviceAccountName: 'kubernaut-workflow-runner' },
  };
  const reconcileDeps = {
    ...ports,
    settings,
    budget: { pageSize: 10, maxItems: 100, timeLeftMs: () => 60_000 },
  };
  return { store, cluster, queue, clock, written, executeDeps, reconcileDeps };
}

describe('limits (WE-15)', () => {
  it('WE-15: for any request and any run status, every item written is within 400 KB and every request leaves a record or a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIELDS),
        sized(MAX_REQUEST_BYTES / 2),
        sized(1_200_000),
        sized(300_000),
        async (field, value, message, reason) => {
          const s = system();
          const body = request(field, value);
          const outcome = await execute(body, s.executeDeps);
          if (outcome.kind === 'started') {
            s.cluster.update(NS, pipelineRunName(TARGET), {
              startTime: '2026-03-01T10:00:00Z',
              completionTime: '2026-03-01T10:00:01Z',
              succeeded: { status: 'False', reason, message },
            });
            expect(await reconcile(s.reconcileDeps)).toMatchObject({ failed: 1 });
            s.clock.advance(11_000);
            expect(await reconcile(s.reconcileDeps)).toMatchObject({ released: 1 });
          } else if (outcome.kind === 'rejected') {
            if (outcome.deadLettered) expect(s.store.rejections).toHaveLength(1);
            else expect(s.store.executions.size).toBe(1);
          } else {
            throw new Error(`unexpected outcome ${outcome.kind}`);
          }
          expect(Math.max(...s.written)).toBeLessThanOrEqual(MAX_ITEM_BYTES);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('WE-15: a request of any size around the queue limit is parsed or refused, never thrown', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_REQUEST_BYTES - 64, max: MAX_REQUEST_BYTES + 64 }), (size) => {
        const text = `{"x":"${'a'.repeat(Math.max(0, size - 8))}"}`;
        const parsed = parseRequest(text);
        expect(parsed.ok).toBe(false);
        if (Buffer.byteLength(text) > MAX_REQUEST_BYTES)
          expect(parsed).toMatchObject({ reason: /the limit is/ });
      }),
      { numRuns: RUNS },
    );
  });

  it('WE-15: any depth, in arrays, objects or strings, is measured without recursion and refused past the limit', () => {
    const shapes = {
      arrays: (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`,
      objects: (d: number) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`,
      inString: (d: number) => `{"a":"${'[{'.repeat(d)}\\"${'['.repeat(d)}"}`,
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }),
        fc.constantFrom(...(Object.keys(shapes) as (keyof typeof shapes)[])),
        (depth, shape) => {
          const parsed = parseRequest(shapes[shape](depth));
          if (shape !== 'inString' && depth > MAX_REQUEST_DEPTH)
            expect(parsed).toMatchObject({ ok: false, reason: /levels deep/ });
          else if (!parsed.ok) expect(parsed.reason).not.toMatch(/levels deep/);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
