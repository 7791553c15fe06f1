/**
 * What the apiserver does to metadata on create and update: names (given or generated), the
 * server-owned fields (uid, creationTimestamp, generation, resourceVersion), and the 422 checks
 * of the generic registry and the custom-resource strategy.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { isJsonObject, type JsonObject } from './patch.js';
import { Events, Namespaces, type ResourceType } from './resources.js';
import { type FieldProblem, invalid } from './status.js';
import {
  dnsLabelProblems,
  dnsSubdomainProblems,
  invalidValue,
  labelProblems,
  requiredValue,
} from './validation.js';

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED_SUFFIX_LENGTH = 5;
const MAX_GENERATE_BASE = 63 - GENERATED_SUFFIX_LENGTH;

/** metav1.Time: RFC 3339 at second precision. */
export const timestamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function metadataOf(object: JsonObject): JsonObject {
  if (!isJsonObject(object.metadata)) object.metadata = {};
  return object.metadata as JsonObject;
}

export const nameOf = (object: JsonObject) => String(metadataOf(object).name ?? '');

/** names.SimpleNameGenerator: the base cut to 58 characters plus 5 random characters. */
export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < GENERATED_SUFFIX_LENGTH; i++)
    suffix += GENERATE_ALPHABET[randomInt(GENERATE_ALPHABET.length)];
  return base.slice(0, MAX_GENERATE_BASE) + suffix;
}

/** Sets the server-owned fields of a new object and drops what a create may not carry. */
export function prepareForCreate(type: ResourceType, object: JsonObject, now: Date): void {
  const metadata = metadataOf(object);
  // Missing type fields default from the URL; wrong ones are left for validateObject to reject.
  object.apiVersion ??= type.apiVersion;
  object.kind ??= type.kind;
  metadata.uid = randomUUID();
  metadata.creationTimestamp = timestamp(now);
  if (type.tracksGeneration) metadata.generation = 1;
  else delete metadata.generation;
  for (const field of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'])
    delete metadata[field];
  if (type.statusSubresource) delete object.status;
  if (type === Namespaces) {
    metadata.labels = {
      ...(isJsonObject(metadata.labels) ? metadata.labels : {}),
      'kubernetes.io/metadata.name': nameOf(object),
    };
    object.spec = { finalizers: ['kubernetes'] };
    object.status = { phase: 'Active' };
  }
  if (type === Events) {
    // metav1.Time has second precision: what a client sends with milliseconds comes back without them.
    for (const field of ['firstTimestamp', 'lastTimestamp']) {
      const value = object[field];
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value)))
        object[field] = timestamp(new Date(value));
    }
  }
}

function typeProblems(type: ResourceType, object: JsonObject): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (object.kind !== type.kind) problems.push(invalidValue('kind', object.kind, `must be ${type.kind}`));
  if (object.apiVersion !== type.apiVersion)
    problems.push(invalidValue('apiVersion', object.apiVersion, `must be ${type.apiVersion}`));
  return problems;
}

function eventProblems(object: JsonObject): FieldProblem[] {
  const involved = isJsonObject(object.involvedObject) ? object.involvedObject : undefined;
  const namespace = metadataOf(object).namespace;
  if (involved?.namespace && involved.namespace !== namespace)
    return [invalidValue('involvedObject.namespace', involved.namespace, 'does not match event.namespace')];
  return [];
}

/** The 422 checks: name, labels, type, and the per-type rules. Throws a StatusError. */
export function validateObject(type: ResourceType, object: JsonObject): void {
  const metadata = metadataOf(object);
  const name = nameOf(object);
  const problems: FieldProblem[] = [];
  if (!name) problems.push(requiredValue('metadata.name', 'name or generateName is required'));
  else {
    const nameRule = type === Namespaces ? dnsLabelProblems : dnsSubdomainProblems;
    for (const p of nameRule(name)) problems.push(invalidValue('metadata.name', name, p));
  }
  problems.push(...labelProblems(metadata.labels), ...typeProblems(type, object));
  if (type === Events) problems.push(...eventProblems(object));
  if (problems.length > 0) throw invalid(type, name, problems);
}

/** The fields a client may not change on update, carried over from the stored object. */
export function keepServerFields(type: ResourceType, next: JsonObject, current: JsonObject): void {
  const metadata = metadataOf(next);
  const old = metadataOf(current);
  for (const field of ['name', 'namespace', 'uid', 'creationTimestamp', 'generation', 'deletionTimestamp']) {
    if (old[field] === undefined) delete metadata[field];
    else metadata[field] = old[field];
  }
  delete metadata.managedFields;
  delete metadata.selfLink;
  next.apiVersion ??= type.apiVersion;
  next.kind ??= type.kind;
}
