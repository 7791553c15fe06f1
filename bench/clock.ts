import type { Clock } from '../functions/core/ports.js';

/** A clock that moves only when told to, so cooldowns pass without waiting for them. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = '2026-03-01T10:00:00Z'): ManualClock {
  let current = Date.parse(start);
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}
