/**
 * Faults a test (or `wfe dev`) can inject into the local DataStorage's batch endpoint. They are
 * used up in the order they were added, one per request; `times` omitted means until cleared.
 */
export type Fault =
  /** 500 with DataStorage's database-error body; nothing is stored. */
  | { kind: 'database-error' }
  /** 429 with a Retry-After header; nothing is stored. */
  | { kind: 'too-many-requests'; retryAfterSeconds: number }
  /** The answer comes after `delayMs`. If the client has gone by then, nothing is stored. */
  | { kind: 'slow'; delayMs: number }
  /** The connection is closed without an answer; nothing is stored. */
  | { kind: 'drop-connection' }
  /** The batch is stored, then the connection is closed without an answer: the client cannot know. */
  | { kind: 'store-then-drop' };

interface Armed {
  fault: Fault;
  remaining: number;
}

export class Faults {
  readonly #armed: Armed[] = [];

  databaseError(options: { times?: number } = {}): this {
    return this.#arm({ kind: 'database-error' }, options.times);
  }

  tooManyRequests(options: { times?: number; retryAfterSeconds?: number } = {}): this {
    return this.#arm(
      { kind: 'too-many-requests', retryAfterSeconds: options.retryAfterSeconds ?? 1 },
      options.times,
    );
  }

  slow(delayMs: number, options: { times?: number } = {}): this {
    return this.#arm({ kind: 'slow', delayMs }, options.times);
  }

  dropConnection(options: { times?: number } = {}): this {
    return this.#arm({ kind: 'drop-connection' }, options.times);
  }

  storeThenDrop(options: { times?: number } = {}): this {
    return this.#arm({ kind: 'store-then-drop' }, options.times);
  }

  clear(): void {
    this.#armed.length = 0;
  }

  /** How many faults are still armed. */
  get pending(): number {
    return this.#armed.length;
  }

  /** The fault for the next batch request, if any; using it counts one of its `times`. */
  take(): Fault | undefined {
    const first = this.#armed[0];
    if (!first) return undefined;
    first.remaining--;
    if (first.remaining <= 0) this.#armed.shift();
    return first.fault;
  }

  #arm(fault: Fault, times = Infinity): this {
    if (times > 0) this.#armed.push({ fault, remaining: times });
    return this;
  }
}
