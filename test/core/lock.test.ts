import { describe, expect, it } from 'vitest';
import {
  acquiredLock,
  coolingLock,
  decide,
  type Lock,
  LockState,
  lockStates,
  runningLock,
} from '../../functions/core/lock.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const LEASE_MS = 15 * 60_000;
const COOLDOWN_MS = 10_000;
const HOLDER = { cluster: 'prod-eu', namespace: 'default', name: 'we-1' };
const OTHER = { cluster: 'prod-eu', namespace: 'default', name: 'we-2' };

function lockIn(state: LockState, releaseAt?: Date): Lock {
  return {
    key: 'prod-eu#default/deployment/app',
    cluster: 'prod-eu',
    target: 'default/deployment/app',
    holder: HOLDER,
    token: 3,
    version: 7,
    pipelineRunName: 'wfe-0123456789abcdef',
    state,
    acquiredAt: '2026-03-01T09:00:00.000Z',
    ...(state === 'cooling'
      ? { releaseAt: (releaseAt ?? NOW).toISOString() }
      : { leaseUntil: '2026-03-01T09:15:00.000Z' }),
  };
}

const BEFORE = new Date(NOW.getTime() - 1);
const AFTER = new Date(NOW.getTime() + 1);

describe('the lock states table (WE-1, WE-3, WE-8)', () => {
  it('lists every state the lock can be in', () => {
    expect(Object.keys(lockStates).sort()).toEqual(Object.values(LockState).sort());
  });

  it.each([
    ['acquired', 'busy', 'settle-stuck'],
    ['running', 'busy', 'renew-lease'],
    ['cooling', 'wait-then-take-over', 'release'],
  ] as const)('%s: a new request is %s; once due, reconcile does %s', (state, newRequest, whenDue) => {
    expect(lockStates[state]).toMatchObject({ newRequest, whenDue });
  });

  it.each(Object.values(LockState))('%s can always be freed by a forced release (WE-12)', (state) => {
    expect(lockStates[state].moves.free).toMatch(/forced release/);
  });
});

describe('decide: what a request gets given the lock it finds', () => {
  it('acquires a target with no lock', () => {
    expect(decide(undefined, OTHER, NOW)).toEqual({ kind: 'acquire', expectVersion: 'absent' });
  });

  it.each([
    ['acquired', AFTER, { kind: 'busy', holder: HOLDER }],
    ['acquired', BEFORE, { kind: 'busy', holder: HOLDER }],
    ['running', AFTER, { kind: 'busy', holder: HOLDER }],
    ['running', BEFORE, { kind: 'busy', holder: HOLDER }],
    ['cooling', AFTER, { kind: 'cooling', until: AFTER }],
    ['cooling', NOW, 'take-over'],
    ['cooling', BEFORE, 'take-over'],
  ] as const)('another execution finds it %s (releaseAt %s)', (state, releaseAt, expected) => {
    const lock = lockIn(state, releaseAt);
    const decision = decide(lock, OTHER, NOW);
    expect(decision).toEqual(expected === 'take-over' ? { kind: 'take-over', from: lock } : expected);
  });

  it.each(Object.values(LockState))('the holder finds its own lock %s: a redelivery, held by me', (state) => {
    const lock = lockIn(state, BEFORE);
    expect(decide(lock, { ...HOLDER }, NOW)).toEqual({ kind: 'held-by-me', lock });
  });
});

describe('the lock’s next states follow the table', () => {
  const acquire = (previous?: Lock) =>
    acquiredLock({
      key: 'prod-eu#default/deployment/app',
      cluster: 'prod-eu',
      target: 'default/deployment/app',
      holder: OTHER,
      pipelineRunName: 'wfe-0123456789abcdef',
      previous,
      now: NOW,
      leaseMs: LEASE_MS,
    });
  const MOVES: [LockState, string, (lock: Lock) => Lock][] = [
    ['cooling', 'acquiredLock', (lock) => acquire(lock)],
    ['acquired', 'runningLock', (lock) => runningLock(lock, NOW, LEASE_MS)],
    ['running', 'runningLock', (lock) => runningLock(lock, NOW, LEASE_MS)],
    ['acquired', 'coolingLock', (lock) => coolingLock(lock, NOW, COOLDOWN_MS)],
    ['running', 'coolingLock', (lock) => coolingLock(lock, NOW, COOLDOWN_MS)],
  ];

  it.each(MOVES)('%s → %s is a move the table lists, one version on', (from, _name, next) => {
    const lock = lockIn(from, BEFORE);
    const moved = next(lock);
    expect(lockStates[from].moves).toHaveProperty(moved.state);
    expect(moved.version).toBe(lock.version + 1);
  });

  it('the table lists no move between states that no function makes', () => {
    const made = MOVES.map(([from, , next]) => `${from}→${next(lockIn(from, BEFORE)).state}`).sort();
    const listed = Object.entries(lockStates)
      .flatMap(([from, rule]) => Object.keys(rule.moves).map((to) => `${from}→${to}`))
      .filter((move) => !move.endsWith('→free'))
      .sort();
    expect([...new Set(made)]).toEqual(listed);
  });

  it('acquiring a free target starts the token and version at 1, with a lease', () => {
    expect(acquire()).toEqual({
      key: 'prod-eu#default/deployment/app',
      cluster: 'prod-eu',
      target: 'default/deployment/app',
      holder: OTHER,
      token: 1,
      version: 1,
      pipelineRunName: 'wfe-0123456789abcdef',
      state: 'acquired',
      acquiredAt: '2026-03-01T10:00:00.000Z',
      leaseUntil: '2026-03-01T10:15:00.000Z',
    });
  });

  it('a take-over fences the previous holder: the token goes up, the cooldown is gone', () => {
    const taken = acquire(lockIn('cooling', BEFORE));
    expect(taken).toMatchObject({ holder: OTHER, token: 4, version: 8, state: 'acquired' });
    expect(taken.releaseAt).toBeUndefined();
  });

  it('running keeps the token and sets when reconcile looks at the holder again', () => {
    expect(runningLock(lockIn('acquired'), NOW, LEASE_MS)).toMatchObject({
      token: 3,
      state: 'running',
      leaseUntil: '2026-03-01T10:15:00.000Z',
    });
  });

  it('cooling holds the target until the holder’s end plus the cooldown (WE-3), with no lease', () => {
    const ended = new Date('2026-03-01T09:59:00Z');
    const cooling = coolingLock(lockIn('running'), ended, COOLDOWN_MS);
    expect(cooling).toMatchObject({ token: 3, state: 'cooling', releaseAt: '2026-03-01T09:59:10.000Z' });
    expect(cooling.leaseUntil).toBeUndefined();
  });
});
