import type { Clock } from '../../functions/core/ports.js';

/** A clock that moves only when told to. */
export interface FakeClock extends Clock {
  set(at: string | Date): void;
  advance(ms: number): void;
}

export function fixedClock(start: string | Date = '2026-01-01T00:00:00Z'): FakeClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
