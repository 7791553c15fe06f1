/**
 * `-w`/`--watch`: after the first listing, a line for each change until Ctrl-C, as `kubectl get -w`
 * prints them. The table has no change feed a command could hold open, so the listing is read
 * again every WATCH_INTERVAL_MS: an item new or changed since the last read is a change, and one
 * that left the listing (a phase filter it no longer matches, a lock released) is read once more
 * to show how it ended.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** A person watching sees a change within this; each read is one page of the listing's indexes. */
export const WATCH_INTERVAL_MS = 2000;

/** Waits `ms` unless `signal` aborts first; false once it has. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

export interface Followed<T> {
  /** Everything the listing holds now. */
  read(): Promise<readonly T[]>;
  identity(item: T): string;
  /** Changes whenever the item does. */
  revision(item: T): string;
  /** An item that left the listing, as it is now; undefined when it no longer exists. */
  reread(item: T): Promise<T | undefined>;
}

/** An item new or changed since the last read, or gone (its last known state). */
export interface Change<T> {
  item: T;
  gone: boolean;
}

/** Follows the listing from `initial` until `signal` aborts, reporting each change to `emit`. */
export async function follow<T>(
  followed: Followed<T>,
  initial: readonly T[],
  emit: (change: Change<T>) => void,
  options: { signal: AbortSignal; interval?: number; pause?: typeof pause },
): Promise<void> {
  const wait = options.pause ?? pause;
  const known = new Map(initial.map((item) => [followed.identity(item), item]));
  while (await wait(options.interval ?? WATCH_INTERVAL_MS, options.signal)) {
    const items = await followed.read();
    const listed = new Set<string>();
    for (const item of items) {
      const id = followed.identity(item);
      listed.add(id);
      const before = known.get(id);
      known.set(id, item);
      if (!before || followed.revision(before) !== followed.revision(item)) emit({ item, gone: false });
    }
    for (const [id, before] of known) {
      if (listed.has(id)) continue;
      known.delete(id);
      const now = await followed.reread(before);
      if (!now) emit({ item: before, gone: true });
      else if (followed.revision(now) !== followed.revision(before)) emit({ item: now, gone: false });
    }
  }
}
