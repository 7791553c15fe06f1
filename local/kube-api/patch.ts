/**
 * The two patch formats custom resources accept: JSON merge patch (RFC 7386) and JSON patch
 * (RFC 6902). Both work on plain JSON values and never mutate their input.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A patch that is well-formed but cannot be applied to this document (the server answers 422). */
export class PatchConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchConflictError';
  }
}

/** A patch that is not a valid patch document at all (the server answers 400). */
export class MalformedPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPatchError';
  }
}

/** Deep equality of JSON values, independent of key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const otherKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    return keys.length === otherKeys.length && keys.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: JsonObject = isJsonObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: JsonValue;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function parseOperations(patch: JsonValue): Operation[] {
  if (!Array.isArray(patch))
    throw new MalformedPatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return patch.map((raw) => {
    if (!isJsonObject(raw) || typeof raw.op !== 'string' || !OPS.has(raw.op))
      throw new MalformedPatchError(`Unexpected kind: ${isJsonObject(raw) ? String(raw.op) : 'unknown'}`);
    if (typeof raw.path !== 'string') throw new MalformedPatchError(`${raw.op} operation missing path`);
    if ((raw.op === 'move' || raw.op === 'copy') && typeof raw.from !== 'string')
      throw new MalformedPatchError(`${raw.op} operation missing from`);
    if ((raw.op === 'add' || raw.op === 'replace' || raw.op === 'test') && !('value' in raw))
      throw new MalformedPatchError(`${raw.op} operation missing value`);
    return raw as unknown as Operation;
  });
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchConflictError(`invalid JSON pointer: "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonObject | JsonValue[];

/** The parent container of the pointer's last token, and that token. */
function locate(doc: JsonValue, tokens: string[], op: string, path: string): [Container, string] {
  let node: JsonValue = doc;
  for (const token of tokens.slice(0, -1)) {
    const child: JsonValue | undefined = Array.isArray(node)
      ? node[Number(token)]
      : isJsonObject(node)
        ? node[token]
        : undefined;
    if (child === undefined || child === null || typeof child !== 'object')
      throw new PatchConflictError(
        `${op} operation does not apply: doc is missing path: "${path}": missing value`,
      );
    node = child;
  }
  if (node === null || typeof node !== 'object')
    throw new PatchConflictError(
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  return [node, tokens[tokens.length - 1] as string];
}

function read(doc: JsonValue, path: string, op: string): JsonValue {
  const tokens = pointer(path);
  if (tokens.length === 0) return doc;
  const [parent, key] = locate(doc, tokens, op, path);
  const value = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (value === undefined)
    throw new PatchConflictError(
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  return value;
}

function arrayIndex(parent: JsonValue[], key: string, allowEnd: boolean, op: string, path: string): number {
  if (allowEnd && key === '-') return parent.length;
  const index = Number(key);
  const max = allowEnd ? parent.length : parent.length - 1;
  if (!/^\d+$/.test(key) || index > max)
    throw new PatchConflictError(`${op} operation does not apply: index out of range: "${path}"`);
  return index;
}

function add(doc: JsonValue, path: string, value: JsonValue, op = 'add'): JsonValue {
  const tokens = pointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const [parent, key] = locate(doc, tokens, op, path);
  if (Array.isArray(parent))
    parent.splice(arrayIndex(parent, key, true, op, path), 0, structuredClone(value));
  else parent[key] = structuredClone(value);
  return doc;
}

function remove(doc: JsonValue, path: string, op = 'remove'): JsonValue {
  const tokens = pointer(path);
  const [parent, key] = locate(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, op, path), 1);
  else if (Object.hasOwn(parent, key)) delete parent[key];
  else
    throw new PatchConflictError(
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  return doc;
}

export function jsonPatch(target: JsonValue, patch: JsonValue): JsonValue {
  let doc = structuredClone(target);
  for (const operation of parseOperations(patch)) {
    const { op, path } = operation;
    switch (op) {
      case 'add':
        doc = add(doc, path, operation.value as JsonValue);
        break;
      case 'remove':
        doc = remove(doc, path);
        break;
      case 'replace':
        read(doc, path, op);
        doc = add(remove(doc, path, op), path, operation.value as JsonValue, op);
        break;
      case 'move': {
        const value = read(doc, operation.from as string, op);
        doc = add(remove(doc, operation.from as string, op), path, value, op);
        break;
      }
      case 'copy':
        doc = add(doc, path, read(doc, operation.from as string, op), op);
        break;
      case 'test':
        if (!jsonEqual(read(doc, path, op), operation.value))
          throw new PatchConflictError(`testing value ${path} failed: test failed`);
        break;
    }
  }
  return doc;
}
