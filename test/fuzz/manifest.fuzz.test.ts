/**
 * Property-based tests (fast-check) over the request (SPEC §6: malformed, oversize, or hostile input):
 * any input gives a manifest or a clear error, never a crash; anything accepted yields a PipelineRun
 * the cluster would accept, where no value escapes its field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { execute } from '../../functions/core/execute.js';
import { parseManifest, parseRequest } from '../../functions/core/manifest.js';
import { buildPipelineRun } from '../../functions/core/pipeline-run.js';
import { fixedClock } from '../fakes/clock.js';
import { MemoryCluster } from '../fakes/memory-cluster.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { RecordingLog, RecordingMetrics, RecordingQueue } from '../fakes/recorders.js';
import { manifest } from '../fixtures/manifests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PARAM_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Control characters other than tab, newline and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const settings = { namespace: 'kubernaut-workflows', serviceAccountName: 'kubernaut-workflow-runner' };

/** Strings that probe the edges: empty, long, unicode, control characters, separators, injections. */
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom(
    '',
    ' ',
    '/',
    '//',
    'a/b',
    'a/b/c',
    'a/b/c/d',
    '../..',
    'x\ny',
    'x\u0000y',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe is the point
    '${TARGET}',
    '$(rm -rf /)',
    'a'.repeat(300),
    'DROP TABLE;',
    '{"a":1}',
    'ns/Deployment/app',
    'TARGET_RESOURCE',
  ),
);

/** A valid manifest with any one field replaced by something hostile. */
const mutated = fc
  .tuple(
    fc.constantFrom(
      ['metadata', 'name'],
      ['metadata', 'namespace'],
      ['spec', 'targetResource'],
      ['spec', 'workflowRef', 'workflowId'],
      ['spec', 'workflowRef', 'version'],
      ['spec', 'workflowRef', 'containerImage'],
      ['spec', 'rationale'],
      ['spec', 'executionConfig', 'timeout'],
      ['spec', 'executionConfig', 'serviceAccountName'],
    ),
    fc.oneof(
      hostile,
      fc.integer(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.object({ maxDepth: 1 }),
    ),
  )
  .map(([path, value]) => {
    const m: Record<string, unknown> = structuredClone(
      manifest({ serviceAccountName: 'runner', timeout: '30m' }),
    );
    let node = m;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[path.at(-1)!] = value;
    return m;
  });

const withHostileMaps = fc
  .tuple(fc.dictionary(hostile, hostile, { maxKeys: 5 }), fc.dictionary(hostile, hostile, { maxKeys: 5 }))
  .map(([parameters, labels]) => {
    const m = structuredClone(manifest()) as ReturnType<typeof manifest> & { metadata: { labels?: unknown } };
    return { ...m, metadata: { ...m.metadata, labels }, spec: { ...m.spec, parameters } };
  });

function assertSafeRun(raw: unknown) {
  const parsed = parseManifest(raw);
  if (!parsed.ok) {
    expect(parsed.reason.length).toBeGreaterThan(0);
    expect(parsed.reason).toMatch(/^(apiVersion|kind|metadata|spec|request)\b/);
    expect(parsed.reason).not.toMatch(CONTROL_CHARACTERS);
    return;
  }
  const run = buildPipelineRun(parsed.manifest, settings);
  expect(run.metadata.name).toMatch(/^wfe-[0-9a-f]{16}$/);
  for (const [key, value] of Object.entries(run.metadata.labels)) {
    expect(key.startsWith('kubernaut.ai/')).toBe(true);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toMatch(LABEL_VALUE);
  }
  const names = run.spec.params.map((p) => p.name);
  expect(new Set(names).size).toBe(names.length);
  for (const name of names) expect(name).toMatch(PARAM_NAME);
  expect(run.spec.params.at(-1)).toEqual({
    name: 'TARGET_RESOURCE',
    value: parsed.manifest.spec.targetResource,
  });
  expect(run.spec.taskRunTemplate.serviceAccountName).toMatch(DNS1123_SUBDOMAIN);
  for (const p of run.spec.params) expect(p.value).not.toMatch(CONTROL_CHARACTERS);
}

describe('fuzzing the request (SPEC §6)', () => {
  it('never throws on any JSON text, and says what is wrong', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const parsed = parseRequest(text);
          if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('accepts only manifests whose PipelineRun the cluster would accept (one hostile field)', () => {
    fc.assert(fc.property(mutated, assertSafeRun), { numRuns: RUNS });
  });

  it('keeps hostile parameter and label maps out of names and labels', () => {
    fc.assert(fc.property(withHostileMaps, assertSafeRun), { numRuns: RUNS });
  });

  it('execute loses nothing: every message ends as an execution, a dead letter, or a no-op on a known one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(mutated, withHostileMaps, fc.jsonValue()), { minLength: 1, maxLength: 8 }),
        async (requests) => {
          const store = new MemoryStore();
          const queue = new RecordingQueue();
          const deps = {
            store,
            clusters: () => new MemoryCluster(),
            queue,
            clock: fixedClock(),
            metrics: new RecordingMetrics(),
            log: new RecordingLog(),
            settings: {
              ...settings,
              clusters: [{ name: 'default', namespace: 'kubernaut-workflows' }],
              defaultCluster: 'default',
              cooldownMs: 10_000,
              leaseMs: 900_000,
            },
          };
          for (const request of requests) {
            const outcome = await execute(JSON.stringify(request), deps);
            switch (outcome.kind) {
              case 'rejected':
                if (outcome.deadLettered) expect(queue.deadLettered.at(-1)?.reason).toBe(outcome.reason);
                else expect(store.executions.has(outcome.id!)).toBe(true);
                break;
              case 'conflict':
                expect(queue.deadLettered.at(-1)?.reason).toBe(outcome.reason);
                break;
              default:
                expect(store.executions.has(outcome.id)).toBe(true);
            }
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
