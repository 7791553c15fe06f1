/**
 * The apiserver's own object-meta validation (apimachinery util/validation): names and labels.
 * Problems come back as field problems so one 422 can list them all, worded as Kubernetes words them.
 */
import type { FieldProblem } from './status.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;

const matches = (pattern: string, text: string) => new RegExp(`^${pattern}$`).test(text);

const SUBDOMAIN_MESSAGE = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`;
const LABEL_MESSAGE = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`;
const NAME_PART_MESSAGE = `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}')`;
const QUALIFIED_NAME_MESSAGE = `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`;
const LABEL_VALUE_MESSAGE = `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${LABEL_VALUE}')`;

const tooLong = (max: number) => `must be no more than ${max} characters`;

export const invalidValue = (field: string, value: unknown, message: string): FieldProblem => ({
  field,
  reason: 'FieldValueInvalid',
  detail: `Invalid value: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}: ${message}`,
});

export const requiredValue = (field: string, message: string): FieldProblem => ({
  field,
  reason: 'FieldValueRequired',
  detail: `Required value: ${message}`,
});

export function dnsSubdomainProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 253) problems.push(tooLong(253));
  if (!matches(DNS1123_SUBDOMAIN, name)) problems.push(SUBDOMAIN_MESSAGE);
  return problems;
}

export function dnsLabelProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 63) problems.push(tooLong(63));
  if (!matches(DNS1123_LABEL, name)) problems.push(LABEL_MESSAGE);
  return problems;
}

function labelKeyProblems(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return [QUALIFIED_NAME_MESSAGE];
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : [undefined, key];
  const problems: string[] = [];
  if (prefix !== undefined) {
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else problems.push(...dnsSubdomainProblems(prefix).map((p) => `prefix part ${p}`));
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push(`name part ${tooLong(63)}`);
  else if (!matches(QUALIFIED_NAME, name)) problems.push(NAME_PART_MESSAGE);
  return problems;
}

function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push(tooLong(63));
  if (!matches(LABEL_VALUE, value)) problems.push(LABEL_VALUE_MESSAGE);
  return problems;
}

export function labelProblems(labels: unknown): FieldProblem[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels))
    return [invalidValue('metadata.labels', JSON.stringify(labels), 'must be a map of strings')];
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const p of labelKeyProblems(key)) problems.push(invalidValue('metadata.labels', key, p));
    if (typeof value !== 'string') {
      problems.push(invalidValue('metadata.labels', String(value), 'must be a string'));
      continue;
    }
    for (const p of labelValueProblems(value)) problems.push(invalidValue('metadata.labels', value, p));
  }
  return problems;
}

/** Label keys are checked when a selector is parsed too, so a malformed selector is a 400. */
export const isValidLabelKey = (key: string) => labelKeyProblems(key).length === 0;
export const isValidLabelValue = (value: string) => labelValueProblems(value).length === 0;
