/**
 * `npm run bench` at its smallest scale (BENCH_SCALE=small): every measurement still runs end to
 * end against the local engines and reports figures of the expected shape, so the bench cannot
 * rot silently. The figures themselves mean nothing at this scale and are not checked.
 */
import { describe, expect, inject, it } from 'vitest';
import { FUNCTIONS } from '../../bench/bundling.js';
import type { BenchContext } from '../../bench/context.js';
import type { Figure, Section } from '../../bench/figures.js';
import { renderTable } from '../../bench/report.js';
import { SMALL } from '../../bench/scale.js';
import { SECTIONS } from '../../bench/sections.js';

const ctx = (): BenchContext => ({
  dynamodbEndpoint: inject('dynamodbEndpoint'),
  scale: SMALL,
  progress: () => {},
});
const measured: Section[] = [];

async function measure(id: string): Promise<Section> {
  const runner = SECTIONS.find((s) => s.id === id);
  if (!runner) throw new Error(`no bench section ${id}`);
  const section = await runner.measure(ctx());
  measured.push(section);
  expect(section.id).toBe(id);
  expect(section.title).not.toBe('');
  for (const f of section.figures) expectFigure(f);
  return section;
}

function expectFigure(f: Figure) {
  expect(f.id).toMatch(/^[\w.-]+$/);
  expect(f.label).not.toBe('');
  expect(f.unit).not.toBe('');
  expect(Number.isFinite(f.value), `${f.id} = ${f.value}`).toBe(true);
  if (f.baseline) expect(Number.isFinite(f.baseline.value), `${f.id} baseline`).toBe(true);
  if (f.target) expect(typeof f.target.pass).toBe('boolean');
}

const ids = (s: Section) => s.figures.map((f) => f.id);
const byId = (s: Section, id: string) => s.figures.find((f) => f.id === id);

describe('bench smoke (BENCH_SCALE=small)', () => {
  it('knows every SPEC §7 measurement', () => {
    expect(SECTIONS.map((s) => s.id)).toEqual([
      'lifecycle',
      'reconcile',
      'waiter',
      'release',
      'events',
      'bundles',
      'coldStart',
      'executeThroughput',
      'auditThroughput',
      'cli',
      'fleet',
    ]);
  });

  it('1. counts DynamoDB requests over a lifecycle, against the ≤ 3 writes and 0 Scans targets', async () => {
    const s = await measure('lifecycle');
    expect(ids(s)).toEqual(
      expect.arrayContaining(['lifecycle.writeRequests', 'lifecycle.itemsRead', 'lifecycle.scans']),
    );
    expect(byId(s, 'lifecycle.writeRequests')?.target?.text).toBe('≤ 3');
    expect(byId(s, 'lifecycle.scans')?.value).toBe(0);
  }, 60_000);

  it('2. reads a reconcile tick with and without history', async () => {
    const s = await measure('reconcile');
    const read = byId(s, 'reconcile.itemsReadWithHistory');
    // Each active execution's index entry, then the minute's census: its running and its lock entry.
    expect(read?.baseline?.value).toBe(3 * SMALL.reconcile.active);
    expect(read?.value).toBe(read?.baseline?.value);
    expect(read?.target).toBeDefined();
  }, 60_000);

  it('3a. times deferred waiters through the local SQS, per batching window', async () => {
    const s = await measure('waiter');
    for (const w of SMALL.waiter.batchingWindowsSeconds)
      for (const stat of ['p50', 'p95', 'max']) expect(ids(s)).toContain(`waiter.window${w}s.${stat}`);
  }, 60_000);

  it('3b. times lock release by the scheduled reconcile', async () => {
    const s = await measure('release');
    expect(ids(s)).toEqual(expect.arrayContaining(['release.p50', 'release.max', 'release.deployedBound']));
  }, 60_000);

  it('3c. times end detection and lock clean-up on the event path, beside the sweep alone (WE-13)', async () => {
    const s = await measure('events');
    for (const what of ['endDetection', 'cleanup'])
      for (const stat of ['p50', 'p95', 'max']) {
        const f = byId(s, `events.${what}.${stat}`);
        expect(f?.baseline?.label).toMatch(/^sweep alone/);
        if (stat === 'p95') expect(f?.target?.text).toBe('≤ 2000 ms p95');
      }
  }, 60_000);

  it('4. bundles each function as infra does and times its import beside a bare handler', async () => {
    const s = await measure('bundles');
    for (const name of FUNCTIONS)
      for (const what of ['bytes', 'gzipBytes', 'initMs', 'initMsWithoutSourceMaps'])
        expect(ids(s)).toContain(`bundle.${name}.${what}`);
    expect(byId(s, 'bundle.audit-forwarder.gzipBytes')?.target?.pass).toBe(true);
    expect(s.details?.mirrorDrift).toEqual([]);
  }, 90_000);

  it('4. times each function’s whole-process cold start beside a bare handler with the same SDK clients', async () => {
    const s = await measure('coldStart');
    for (const name of FUNCTIONS) {
      expect(byId(s, `coldStart.${name}.ms`)?.baseline?.value).toBeGreaterThan(0);
      expect(ids(s)).toContain(`coldStart.${name}.ratio`);
    }
    for (const name of ['execute', 'reconcile', 'audit-forwarder', 'events'])
      expect(byId(s, `coldStart.${name}.ratio`)?.target).toBeDefined();
  }, 180_000);

  it('5. measures throughput beside the raw baselines', async () => {
    const execute = await measure('executeThroughput');
    expect(byId(execute, 'throughput.executions')?.value).toBeGreaterThan(0);
    const audit = await measure('auditThroughput');
    expect(
      byId(audit, `throughput.audit.batch${SMALL.throughput.auditBatchSizes[0]}`)?.baseline?.value,
    ).toBeGreaterThan(0);
  }, 60_000);

  it('6. times wfe commands, built and through tsx, beside node -e 0', async () => {
    const s = await measure('cli');
    expect(ids(s)).toEqual(
      expect.arrayContaining(['cli.get.p50', 'cli.list.p50', 'cli.help.p50', 'cli.version.p50']),
    );
    expect(byId(s, 'cli.get.p50')?.target?.text).toBe('≤ 0.35 s');
    expect(byId(s, 'cli.get.p50')?.baseline?.label).toBe('node -e 0, p50');
  }, 120_000);

  it('WE-14. sweeps a fleet fanned out per shard and counts index writes per key value over a burst', async () => {
    const s = await measure('fleet');
    for (const what of ['seconds', 'kubeRequests', 'listPages', 'itemsRead', 'readRequests'])
      expect(byId(s, `fleet.sweep.${what}`)?.value).toBeGreaterThan(0);
    expect(byId(s, 'fleet.sweep.kubeRequests')?.baseline?.value).toBe(4 * SMALL.fleet.running);
    expect(byId(s, 'fleet.sweep.writeRequests')?.value).toBe(0);
    expect(byId(s, 'fleet.sweep.unfinishedShards')?.value).toBe(0);
    expect(byId(s, 'fleet.burst.dueBusiestShare')?.value).toBeLessThan(50);
    expect(byId(s, 'fleet.burst.busiestAt500')?.target).toBeDefined();
  }, 180_000);

  it('renders the table', () => {
    const table = renderTable(measured);
    for (const s of measured) expect(table).toContain(s.title);
  });
});
