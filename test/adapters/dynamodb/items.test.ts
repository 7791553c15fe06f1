/**
 * The state table's items (SPEC §4's table): what each record is stored as, when the table's TTL
 * removes it, and what reads back. Pure mapping; the conditions are in execution-table.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { itemBytes, MAX_ITEM_BYTES } from '../../../functions/adapters/dynamodb/item-size.js';
import {
  auditItem,
  dueShardOf,
  executionItem,
  lockItem,
  rejectionItem,
  toExecution,
  toLock,
  toRejection,
} from '../../../functions/adapters/dynamodb/items.js';
import { TABLE } from '../../../functions/adapters/dynamodb/table.js';
import { AuditEventType, auditEvent } from '../../../functions/core/audit-event.js';
import type { Execution } from '../../../functions/core/execution.js';
import type { Lock } from '../../../functions/core/lock.js';

const DAY = 24 * 3600;
const NOW = new Date('2026-03-01T10:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const execution = (status: Partial<Execution['status']> = {}): Execution => ({
  id: { cluster: 'default', namespace: 'payment', name: 'we-1' },
  specHash: 'h',
  target: 'payment/Deployment/api',
  status: { phase: 'Pending', conditions: {}, ...status },
  createdAt: '2026-03-01T09:00:00.000Z',
  version: 0,
});

const lock: Lock = {
  key: 'prod#payment/Deployment/api',
  cluster: 'prod',
  target: 'payment/Deployment/api',
  holder: { cluster: 'prod', namespace: 'payment', name: 'we-1' },
  token: 4,
  version: 9,
  pipelineRunName: 'wfe-0123456789abcdef',
  state: 'cooling',
  acquiredAt: '2026-03-01T09:00:00.000Z',
  releaseAt: '2026-03-01T10:05:00.000Z',
};

describe('state table items', () => {
  it('an audit record is keyed under its execution, once per time and type, and expires 30 days after it happened', () => {
    const event = auditEvent(AuditEventType.Started, execution({ phase: 'Running' }), NOW);
    expect(auditItem(event)).toEqual({
      pk: 'EXEC#default/payment/we-1',
      sk: 'AUDIT#2026-03-01T10:00:00.000Z#workflow.started',
      kind: 'audit',
      event,
      expiresAt: NOW_SECONDS + 30 * DAY,
    });
  });

  it('a rejection lives 14 days, as long as its dead letter can, and reads back as written', () => {
    const rejection = {
      messageId: 'm-1',
      reason: 'request is 300000 bytes',
      bytes: 300_000,
      at: NOW.toISOString(),
    };
    const item = rejectionItem(rejection);
    expect(item).toMatchObject({
      pk: 'REJECTED#m-1',
      sk: 'REJECTED',
      kind: 'rejection',
      ...rejection,
      expiresAt: NOW_SECONDS + 14 * DAY,
    });
    expect(toRejection(item)).toEqual(rejection);
  });

  it('a Running execution is in the due index from its start; any other phase is not', () => {
    expect(
      executionItem(execution({ phase: 'Running', startTime: '2026-03-01T09:30:00.000Z' }), 2, NOW),
    ).toMatchObject({
      [TABLE.dueIndex.partitionKey]: dueShardOf('running', 'default', 'EXEC#default/payment/we-1'),
      dueAt: '2026-03-01T09:30:00.000Z',
      version: 2,
      updatedAt: NOW.toISOString(),
    });
    expect(executionItem(execution({ phase: 'Running' }), 2, NOW)).toMatchObject({
      dueAt: NOW.toISOString(),
    });
    for (const phase of ['Pending', 'Completed', 'Failed'] as const) {
      expect(executionItem(execution({ phase }), 2, NOW)).not.toHaveProperty(TABLE.dueIndex.partitionKey);
    }
  });

  it('an execution reads back as written, its rejected request as JSON', () => {
    const rejected = {
      ...execution({ phase: 'Failed' }),
      rejectedRequest: { spec: { targetResource: 'x' } },
    };
    expect(toExecution(executionItem(rejected, 3, NOW))).toEqual({ ...rejected, version: 3 });
  });

  it('an execution over the item limit keeps what fits of its rejected request, as text, whatever its characters weigh', () => {
    const rejected = {
      ...execution({ phase: 'Failed' }),
      rejectedRequest: { spec: { targetResource: '€'.repeat(200_000) } },
    };
    const item = executionItem(rejected, 1, NOW);
    expect(itemBytes(item)).toBeLessThanOrEqual(MAX_ITEM_BYTES);
    expect(itemBytes(item)).toBeGreaterThan(MAX_ITEM_BYTES - 1024);
    expect(toExecution(item).rejectedRequest).toMatch(
      /^\{"spec":\{"targetResource":"€+… \[cut [\d,]+ characters\]$/,
    );
    const fits = { ...rejected, rejectedRequest: { spec: { targetResource: 'x'.repeat(1000) } } };
    expect(executionItem(fits, 1, NOW).rejectedRequest).toBe(JSON.stringify(fits.rejectedRequest));
  });

  it('a lock is due at its cooldown’s end when cooling, else at its lease’s end, and reads back as written', () => {
    expect(lockItem(lock)).toMatchObject({
      pk: 'LOCK#prod#payment/Deployment/api',
      sk: 'LOCK',
      kind: 'lock',
      [TABLE.dueIndex.partitionKey]: dueShardOf('lock', 'prod', 'LOCK#prod#payment/Deployment/api'),
      dueAt: lock.releaseAt,
    });
    const acquired: Lock = {
      ...lock,
      state: 'acquired',
      releaseAt: undefined,
      leaseUntil: '2026-03-01T09:15:00.000Z',
    };
    expect(lockItem(acquired)).toMatchObject({
      [TABLE.dueIndex.partitionKey]: dueShardOf('lock', 'prod', 'LOCK#prod#payment/Deployment/api'),
      dueAt: '2026-03-01T09:15:00.000Z',
    });
    expect(lockItem({ ...lock, releaseAt: undefined })).not.toHaveProperty(TABLE.dueIndex.partitionKey);
    expect(toLock(lockItem(lock))).toEqual({ ...lock, leaseUntil: undefined });
    expect(toLock(lockItem(acquired))).toEqual(acquired);
  });
});
