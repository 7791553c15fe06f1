/**
 * Crash injection at step boundaries: wraps a port so that one chosen call either fails before it
 * happens or happens and then "the process dies" (throws) before the caller sees the result.
 */
export class Crash extends Error {
  constructor(readonly step: string) {
    super(`injected crash at ${step}`);
    this.name = 'Crash';
  }
}

export interface CrashPoint {
  method: string;
  /** Which call of that method (1-based) crashes. */
  call: number;
  when: 'before' | 'after';
  /** Only calls whose first argument passes this count (e.g. only writes with a workflow.started record). */
  matches?: (arg: unknown) => boolean;
}

export function crashing<T extends object>(target: T, point: CrashPoint): T {
  let seen = 0;
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (prop !== point.method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (point.matches && !point.matches(args[0])) return value.apply(obj, args);
        seen++;
        if (seen !== point.call) return value.apply(obj, args);
        const step = `${point.when} ${point.method} #${point.call}`;
        if (point.when === 'before') throw new Crash(step);
        await value.apply(obj, args);
        throw new Crash(step);
      };
    },
  });
}
