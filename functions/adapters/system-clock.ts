import type { Clock } from '../core/ports.js';

/** The only place the functions read the wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Waits on a real timer; the core receives it as a dependency so tests can use a fake clock. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
