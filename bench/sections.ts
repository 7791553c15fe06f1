/** The measurements, in the order of SPEC §7. */
import { measureAuditThroughput } from './audit-throughput.js';
import { measureBundles } from './bundles.js';
import { measureCliLatency } from './cli-latency.js';
import { measureColdStart } from './cold-start.js';
import type { BenchContext } from './context.js';
import { measureEventLateness } from './event-lateness.js';
import { measureExecuteThroughput } from './execute-throughput.js';
import type { Section } from './figures.js';
import { measureFleet } from './fleet.js';
import { measureLifecycle } from './lifecycle.js';
import { measureReconcileReads } from './reconcile-reads.js';
import { measureReleaseLateness } from './release-lateness.js';
import { measureWaiterLateness } from './waiter-lateness.js';

export interface SectionRunner {
  id: string;
  measure(ctx: BenchContext): Promise<Section>;
}

export const SECTIONS: SectionRunner[] = [
  { id: 'lifecycle', measure: measureLifecycle },
  { id: 'reconcile', measure: measureReconcileReads },
  { id: 'waiter', measure: measureWaiterLateness },
  { id: 'release', measure: measureReleaseLateness },
  { id: 'events', measure: measureEventLateness },
  { id: 'bundles', measure: measureBundles },
  { id: 'coldStart', measure: measureColdStart },
  { id: 'executeThroughput', measure: measureExecuteThroughput },
  { id: 'auditThroughput', measure: measureAuditThroughput },
  { id: 'cli', measure: measureCliLatency },
  { id: 'fleet', measure: measureFleet },
];
