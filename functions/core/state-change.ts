import type { AuditEventRequest } from './audit-event.js';
import type { Execution } from './execution.js';
import type { LockWrite } from './lock.js';

/**
 * One state change, written atomically (one DynamoDB transaction): executions at their expected
 * versions (0 = must not exist yet), the lock, and the audit records of the change (the outbox).
 */
export interface StateChange {
  executions?: { next: Execution; expectVersion: number }[];
  lock?: LockWrite;
  audit?: AuditEventRequest[];
}

export type WriteResult = { ok: true } | { ok: false; conflict: 'execution' | 'lock' };
