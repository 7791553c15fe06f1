/**
 * The API's verbs with the apiserver's semantics for custom resources (generic registry plus the
 * customresource strategy): create, get, list, replace, patch, delete, each on the main resource
 * or its status subresource. HTTP handlers and the Tekton simulator both go through here, so
 * the simulator's writes look exactly like a controller's.
 */
import { parse as parseYaml } from 'yaml';
import { parseFieldSelector } from './field-selector.js';
import { parseLabelSelector, SelectorError } from './label-selector.js';
import {
  generateName,
  keepServerFields,
  metadataOf,
  nameOf,
  prepareForCreate,
  validateObject,
} from './object-meta.js';
import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  jsonPatch,
  MalformedPatchError,
  mergePatch,
  PatchConflictError,
} from './patch.js';
import { Namespaces, RESOURCES, type ResourceType } from './resources.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  failure,
  invalid,
  notFound,
  type Status,
  StatusError,
  success,
} from './status.js';
import type { ObjectStore } from './store.js';
import { type Admission, pipelineRunAdmission, taskRunAdmission } from './tekton.js';

export interface ApiOptions {
  clock: () => Date;
  /** When true, creating in a namespace that does not exist is a 404; otherwise it is created on first use. */
  strictNamespaces: boolean;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun?: boolean;
}

export interface WriteOptions {
  subresource?: 'status';
  dryRun?: boolean;
  fieldManager?: string;
}

const ADMISSION: Partial<Record<string, Admission>> = {
  pipelineruns: pipelineRunAdmission,
  taskruns: taskRunAdmission,
};

const GENERATE_NAME_ATTEMPTS = 8;

const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** Everything but metadata (and status, where it is a subresource): a change here bumps generation. */
function specPart(type: ResourceType, object: JsonObject): JsonObject {
  const { metadata: _m, status, ...rest } = object;
  return type.statusSubresource ? rest : { ...rest, status: status ?? null };
}

function withoutVersion(object: JsonObject): JsonObject {
  const copy = structuredClone(object);
  delete metadataOf(copy).resourceVersion;
  return copy;
}

function encodeContinue(key: string): string {
  return Buffer.from(JSON.stringify({ start: key }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isJsonObject(parsed) && typeof parsed.start === 'string') return parsed.start;
  } catch {
    // reported below as the apiserver does
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

const keyOf = (object: JsonObject) => `${String(metadataOf(object).namespace ?? '')}/${nameOf(object)}`;

export class ObjectApi {
  constructor(
    readonly store: ObjectStore,
    private readonly options: ApiOptions,
  ) {}

  get(type: ResourceType, namespace: string | undefined, name: string): JsonObject {
    const object = this.store.read(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): JsonObject {
    const { labels, fields } = this.selectors(options);
    let items = this.store
      .readAll(type, namespace)
      .filter((o) => labels.matches(labelsOf(o)) && fields.matches(fieldsOf(o)));
    const metadata: JsonObject = { resourceVersion: this.store.resourceVersion };
    if (options.continue) {
      const start = decodeContinue(options.continue);
      items = items.filter((o) => keyOf(o) > start);
    }
    if (options.limit && options.limit > 0 && items.length > options.limit) {
      const remaining = items.length - options.limit;
      items = items.slice(0, options.limit);
      metadata.continue = encodeContinue(keyOf(items[items.length - 1] as JsonObject));
      metadata.remainingItemCount = remaining;
    }
    return {
      apiVersion: type.apiVersion,
      kind: type.listKind,
      metadata,
      // Typed (built-in) lists carry no kind/apiVersion per item; unstructured custom resource lists do.
      items: type.custom ? items : items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    };
  }

  /** Parses both selectors; a malformed one is a 400. */
  selectors(options: { labelSelector?: string; fieldSelector?: string }) {
    try {
      return {
        labels: parseLabelSelector(options.labelSelector),
        fields: parseFieldSelector(options.fieldSelector),
      };
    } catch (err) {
      if (err instanceof SelectorError) throw badRequest(`unable to parse requirement: ${err.message}`);
      throw err;
    }
  }

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    options: WriteOptions = {},
  ): JsonObject {
    if (!isJsonObject(body))
      throw badRequest(`the object provided is unrecognized (must be of type ${type.kind})`);
    const object = structuredClone(body);
    const metadata = metadataOf(object);
    if (type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace)
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      metadata.namespace = namespace as string;
    } else delete metadata.namespace;
    if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== '')
      throw new StatusError(failure(500, '', 'resourceVersion should not be set on objects to be created'));
    delete metadata.resourceVersion;
    if (type.namespaced) this.requireNamespace(namespace as string, options.dryRun);

    const generate =
      !metadata.name && typeof metadata.generateName === 'string' && metadata.generateName !== '';
    for (let attempt = 1; ; attempt++) {
      const candidate = structuredClone(object);
      if (generate) metadataOf(candidate).name = generateName(String(metadata.generateName));
      prepareForCreate(type, candidate, this.options.clock());
      ADMISSION[type.plural]?.mutate(candidate);
      validateObject(type, candidate);
      ADMISSION[type.plural]?.validate(candidate, undefined);
      const name = nameOf(candidate);
      if (this.store.read(type, namespace, name)) {
        if (generate && attempt < GENERATE_NAME_ATTEMPTS) continue;
        throw alreadyExists(type, name, generate);
      }
      if (options.dryRun) return candidate;
      return this.store.write(type, candidate);
    }
  }

  /** PUT: needs metadata.resourceVersion (422 without it, 409 when stale). */
  replace(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): JsonObject {
    if (!isJsonObject(body))
      throw badRequest(`the object provided is unrecognized (must be of type ${type.kind})`);
    return this.update(type, namespace, name, body, { ...options, requireResourceVersion: true });
  }

  /** PATCH: merge or JSON patch; a metadata.resourceVersion in the patch is a precondition. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    rawBody: string,
    options: WriteOptions = {},
  ): JsonObject {
    const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (mediaType === PATCH_TYPES.apply) return this.apply(type, namespace, name, rawBody, options);
    const strategicAsMerge = mediaType === PATCH_TYPES.strategic && !type.custom;
    if (mediaType !== PATCH_TYPES.merge && mediaType !== PATCH_TYPES.json && !strategicAsMerge)
      throw new StatusError(
        failure(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.json}, ${PATCH_TYPES.merge}, ${PATCH_TYPES.apply}`,
        ),
      );
    let patch: JsonValue;
    try {
      patch = JSON.parse(rawBody) as JsonValue;
    } catch (err) {
      throw badRequest(`error decoding patch: ${(err as Error).message}`);
    }
    const current = this.get(type, namespace, name);
    const patched = this.applyPatch(current, patch, mediaType === PATCH_TYPES.json ? 'json' : 'merge');
    return this.update(type, namespace, name, patched, { ...options, requireResourceVersion: false });
  }

  /**
   * Server-side apply, reduced to what a single field manager sees: create when absent, else a
   * merge of the applied configuration. Field ownership and conflicts are not modelled.
   */
  private apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    rawBody: string,
    options: WriteOptions,
  ): JsonObject {
    if (!options.fieldManager)
      throw new StatusError(
        failure(
          422,
          'Invalid',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          {
            group: 'meta.k8s.io',
            kind: 'PatchOptions',
            causes: [
              {
                reason: 'FieldValueRequired',
                message: 'Required value: is required for apply patch',
                field: 'fieldManager',
              },
            ],
          },
        ),
      );
    let applied: unknown;
    try {
      applied = parseYaml(rawBody);
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    if (!isJsonObject(applied))
      throw badRequest('error decoding YAML: the applied configuration is not an object');
    const current = this.store.read(type, namespace, name);
    if (!current) {
      if (options.subresource) throw notFound(type, name);
      return this.create(type, namespace, mergePatch({ metadata: { name } }, applied), options);
    }
    const patched = this.applyPatch(current, applied as JsonValue, 'merge');
    return this.update(type, namespace, name, patched, { ...options, requireResourceVersion: false });
  }

  private applyPatch(current: JsonObject, patch: JsonValue, kind: 'json' | 'merge'): JsonObject {
    try {
      const patched = kind === 'json' ? jsonPatch(current, patch) : mergePatch(current, patch);
      if (!isJsonObject(patched)) throw badRequest('the patched object is not an object');
      return patched;
    } catch (err) {
      if (err instanceof MalformedPatchError) throw badRequest(err.message);
      if (err instanceof PatchConflictError) throw new StatusError(failure(422, 'Invalid', err.message, {}));
      throw err;
    }
  }

  /** The write every update path shares (PUT, PATCH, status), after the body has been formed. */
  private update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    incoming: JsonObject,
    options: WriteOptions & { requireResourceVersion: boolean },
  ): JsonObject {
    const current = this.get(type, namespace, name);
    const metadata = metadataOf(incoming);
    const currentMeta = metadataOf(current);
    if (metadata.name !== undefined && metadata.name !== name)
      throw badRequest(
        `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`,
      );
    if (
      type.namespaced &&
      metadata.namespace !== undefined &&
      metadata.namespace !== '' &&
      metadata.namespace !== namespace
    )
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    const version = metadata.resourceVersion;
    if (options.requireResourceVersion && (version === undefined || version === ''))
      throw invalid(type, name, [
        {
          field: 'metadata.resourceVersion',
          reason: 'FieldValueInvalid',
          // Go prints the missing (zero) uint64 resourceVersion as 0x0.
          detail: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    if (version !== undefined && version !== '' && version !== currentMeta.resourceVersion)
      throw conflict(type, name);
    if (metadata.uid && metadata.uid !== currentMeta.uid)
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${String(metadata.uid)}, UID in object meta: ${String(currentMeta.uid)}`,
      );

    let next: JsonObject;
    if (options.subresource === 'status') {
      // The status endpoint takes only .status; everything else stays as stored.
      next = structuredClone(current);
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
    } else {
      next = structuredClone(incoming);
      keepServerFields(type, next, current);
      if (type.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      ADMISSION[type.plural]?.mutate(next);
      validateObject(type, next);
      ADMISSION[type.plural]?.validate(next, current);
    }
    metadataOf(next).resourceVersion = currentMeta.resourceVersion as string;
    // A write that changes nothing keeps its resourceVersion and wakes no watcher, as on a real apiserver.
    if (jsonEqual(withoutVersion(next), withoutVersion(current))) return current;
    if (type.tracksGeneration && !jsonEqual(specPart(type, next), specPart(type, current)))
      metadataOf(next).generation = Number(currentMeta.generation ?? 0) + 1;
    if (options.dryRun) return next;
    return this.store.write(type, next);
  }

  /** The Tekton controller's status write: always against the latest object, through the status path. */
  writeStatus(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    status: JsonValue,
  ): JsonObject {
    return this.update(
      type,
      namespace,
      name,
      { status },
      { subresource: 'status', requireResourceVersion: false },
    );
  }

  /** A controller's metadata write (labels), through the main resource. */
  mergeMetadata(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: JsonObject,
  ): JsonObject {
    const current = this.get(type, namespace, name);
    const patched = mergePatch(current, { metadata: patch }) as JsonObject;
    return this.update(type, namespace, name, patched, { requireResourceVersion: false });
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Status {
    const current = this.get(type, namespace, name);
    const meta = metadataOf(current);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid && uid !== meta.uid)
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(meta.uid)}`,
      );
    if (resourceVersion && resourceVersion !== meta.resourceVersion)
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`,
      );
    const details = { name, group: type.group, kind: type.plural, uid: String(meta.uid) };
    if (options.dryRun) return success(details);
    // Deletion is immediate: no finalizers, and dependents are collected at once (see simulator).
    if (type === Namespaces) this.removeNamespaceContents(name);
    this.store.remove(type, namespace, name);
    return success(details);
  }

  /** Makes sure a namespace exists: created on first use, or a 404 when namespaces are strict. */
  requireNamespace(namespace: string, dryRun = false): void {
    if (this.store.read(Namespaces, undefined, namespace)) return;
    if (this.options.strictNamespaces) throw notFound(Namespaces, namespace);
    if (!dryRun) this.create(Namespaces, undefined, { metadata: { name: namespace } });
  }

  private removeNamespaceContents(namespace: string): void {
    for (const type of RESOURCES.filter((t) => t.namespaced)) {
      for (const object of this.store.readAll(type, namespace))
        this.store.remove(type, namespace, nameOf(object));
    }
  }
}

export const labelsOf = (object: JsonObject): Record<string, string> | undefined => {
  const labels = metadataOf(object).labels;
  return isJsonObject(labels) ? (labels as Record<string, string>) : undefined;
};

export const fieldsOf = (object: JsonObject) => ({
  'metadata.name': nameOf(object),
  'metadata.namespace': String(metadataOf(object).namespace ?? ''),
});
