import type { Clock } from '../core/ports.js';

/** The only place the functions read the wall clock. */
export const systemClock: Clock = { now: () => new Date() };
