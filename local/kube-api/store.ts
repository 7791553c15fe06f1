/**
 * The object store behind the API: objects per resource, one global resourceVersion counter (as
 * etcd's revision), a bounded history for watches that resume from a resourceVersion, and change
 * listeners. Listeners are called in commit order even when one of them writes in turn (the
 * simulator does), because emission is queued rather than nested.
 */
import type { JsonObject, JsonValue } from './patch.js';
import type { ResourceName, ResourceType } from './resources.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  resource: ResourceType;
  /** The object after the change; for DELETED, its last state carrying the deletion's resourceVersion. */
  object: JsonObject;
  /** The object before the change (MODIFIED only), so a watch can tell when it left or entered a selector. */
  previous?: JsonObject;
  revision: number;
}

/** An object as tests read it back. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    generation?: number;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What tests may do with the store: read, never write behind the API's back. */
export interface StoreReader {
  readonly resourceVersion: string;
  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: ResourceName, namespace?: string): KubeObject[];
}

const DEFAULT_HISTORY = 10_000;

function sortKeys<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = sortKeys((value as JsonObject)[key] as JsonValue);
  return sorted as T;
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

function metaOf(object: JsonObject): { name: string; namespace?: string } {
  const metadata = object.metadata as JsonObject;
  return {
    name: String(metadata.name),
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
  };
}

export class ObjectStore implements StoreReader {
  private readonly buckets = new Map<string, Map<string, JsonObject>>();
  private revision = 0;
  private readonly history: Change[] = [];
  /** Watches may resume from any revision at or after this one. */
  private oldestResumable = 0;
  private readonly listeners = new Set<(change: Change) => void>();
  private readonly queue: Change[] = [];
  private emitting = false;

  /** `history`: how many changes a watch can resume across (older resourceVersions are 410 Expired). */
  constructor(private readonly historyLimit = DEFAULT_HISTORY) {}

  /** The current global resourceVersion. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** A copy of one object, or undefined. */
  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.buckets.get(resource)?.get(keyOf(namespace, name));
    return object ? (structuredClone(object) as unknown as KubeObject) : undefined;
  }

  /** Copies of every object of a resource (in one namespace when given), ordered by namespace and name. */
  list(resource: ResourceName, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(resource);
    if (!bucket) return [];
    return [...bucket.entries()]
      .filter(([, o]) => namespace === undefined || metaOf(o).namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o) as unknown as KubeObject);
  }

  /** Internal read without the KubeObject view. */
  read(type: ResourceType, namespace: string | undefined, name: string): JsonObject | undefined {
    const object = this.buckets.get(type.plural)?.get(keyOf(namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  readAll(type: ResourceType, namespace?: string): JsonObject[] {
    return this.list(type.plural as ResourceName, namespace) as unknown as JsonObject[];
  }

  /** Stores the object under a new resourceVersion and announces it; returns the stored copy. */
  write(type: ResourceType, object: JsonObject): JsonObject {
    const { name, namespace } = metaOf(object);
    let bucket = this.buckets.get(type.plural);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(type.plural, bucket);
    }
    const key = keyOf(namespace, name);
    const previous = bucket.get(key);
    // Custom resources are stored unstructured, and Go writes map keys sorted: so does this store.
    this.revision += 1;
    const versioned = structuredClone(object);
    (versioned.metadata as JsonObject).resourceVersion = String(this.revision);
    const stored = type.custom ? sortKeys(versioned) : versioned;
    bucket.set(key, stored);
    this.announce({
      type: previous ? 'MODIFIED' : 'ADDED',
      resource: type,
      object: structuredClone(stored),
      ...(previous ? { previous: structuredClone(previous) } : {}),
      revision: this.revision,
    });
    return structuredClone(stored);
  }

  /** Removes the object; returns its last state, stamped with the deletion's resourceVersion. */
  remove(type: ResourceType, namespace: string | undefined, name: string): JsonObject | undefined {
    const bucket = this.buckets.get(type.plural);
    const key = keyOf(namespace, name);
    const existing = bucket?.get(key);
    if (!bucket || !existing) return undefined;
    bucket.delete(key);
    this.revision += 1;
    const last = structuredClone(existing);
    (last.metadata as JsonObject).resourceVersion = String(this.revision);
    this.announce({
      type: 'DELETED',
      resource: type,
      object: structuredClone(last),
      revision: this.revision,
    });
    return last;
  }

  /** Changes after `revision`, or 'expired' when the history no longer reaches back that far. */
  changesSince(revision: number): Change[] | 'expired' {
    if (revision < this.oldestResumable) return 'expired';
    return this.history.filter((c) => c.revision > revision);
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(change: Change): void {
    this.history.push(change);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.shift() as Change;
      this.oldestResumable = dropped.revision;
    }
    this.queue.push(change);
    if (this.emitting) return;
    this.emitting = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const listener of [...this.listeners]) {
          // A failing listener (the simulator, a watch) must not fail the write that triggered it.
          try {
            listener({
              ...next,
              object: structuredClone(next.object),
              ...(next.previous ? { previous: structuredClone(next.previous) } : {}),
            });
          } catch (err) {
            console.error('kube-api: change listener failed', err);
          }
        }
      }
    } finally {
      this.emitting = false;
    }
  }
}
