import { describe, expect, it } from 'vitest';
import {
  canMove,
  conditionList,
  type ExecutionStatus,
  isTerminal,
  Phase,
  removeCondition,
  setCondition,
  transitions,
} from '../../functions/core/execution.js';

const PHASES = Object.values(Phase);
const ALLOWED = new Set(['Pending→Running', 'Pending→Failed', 'Running→Completed', 'Running→Failed']);

describe('the phase transitions table (WE-5)', () => {
  it.each(PHASES.flatMap((from) => PHASES.map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    expect(canMove(from, to)).toBe(ALLOWED.has(`${from}→${to}`));
  });

  it.each([
    ['Pending', false],
    ['Running', false],
    ['Completed', true],
    ['Failed', true],
  ] as const)('%s is terminal: %s', (phase, terminal) => {
    expect(isTerminal(phase)).toBe(terminal);
    expect(transitions[phase].length === 0).toBe(terminal);
  });
});

describe('conditions (meta.SetStatusCondition)', () => {
  const empty: ExecutionStatus = { phase: 'Pending', conditions: {} };
  const t0 = new Date('2026-03-01T10:00:00Z');
  const t1 = new Date('2026-03-01T10:05:00Z');

  it('moves lastTransitionTime only when the status changes', () => {
    const first = setCondition(
      empty,
      { type: 'CooldownActive', status: 'True', reason: 'CooldownActive', message: 'a' },
      t0,
    );
    const same = setCondition(
      first,
      { type: 'CooldownActive', status: 'True', reason: 'CooldownActive', message: 'b' },
      t1,
    );
    expect(same.conditions.CooldownActive).toMatchObject({
      message: 'b',
      lastTransitionTime: t0.toISOString(),
    });
    const flipped = setCondition(
      same,
      { type: 'CooldownActive', status: 'False', reason: 'CooldownElapsed', message: 'c' },
      t1,
    );
    expect(flipped.conditions.CooldownActive?.lastTransitionTime).toBe(t1.toISOString());
  });

  it('lists conditions in CRD order whatever order they were set in, and removes one', () => {
    let status = empty;
    for (const type of ['LockReleased', 'AuditRecorded', 'TektonPipelineCreated'] as const) {
      status = setCondition(status, { type, status: 'True', reason: type, message: '' }, t0);
    }
    expect(conditionList(status).map((c) => c.type)).toEqual([
      'TektonPipelineCreated',
      'AuditRecorded',
      'LockReleased',
    ]);
    expect(conditionList(removeCondition(status, 'AuditRecorded')).map((c) => c.type)).toEqual([
      'TektonPipelineCreated',
      'LockReleased',
    ]);
  });
});
