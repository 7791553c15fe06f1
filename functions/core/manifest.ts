/**
 * The request: a WorkflowExecution manifest (SPEC §2), validated with limits on every string and map.
 *
 * parseRequest never throws. It returns the manifest, or a rejection that says what was wrong and,
 * when it can be read, the identity the rejection belongs to (so it ends as a Failed execution
 * rather than in the dead-letter queue).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { parseDuration } from './duration.js';
import { targetProblem } from './target.js';

export const MAX_REQUEST_BYTES = 256 * 1024;
/** A manifest nests 4 levels deep; far deeper input is refused before anything recurses into it. */
export const MAX_REQUEST_DEPTH = 32;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PARAMETER_NAME = /^[A-Z][A-Z0-9_]*$/;
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/**
 * Free text (parameter values, annotations, rationale) may hold tab, newline and carriage return,
 * which scripts and prose need; no other C0 control, no DEL or C1 control (terminal escapes), no
 * bidi override or isolate (text that reads other than it is), no half of a surrogate pair (not
 * UTF-8). Identities (name, namespace, target, labels) allow far less: their own patterns.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NO_CONTROL = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/;

export const RESERVED_PARAMETER = 'TARGET_RESOURCE';

const text = (max: number) =>
  z.string().check(
    z.maxLength(max, `must be at most ${max} characters`),
    z.regex(NO_CONTROL, 'must not contain control or bidi-override characters'),
    z.refine((t: string) => !LONE_SURROGATE.test(t), 'must be valid UTF-8'),
  );

/** The object name is also a label value on the PipelineRun, so it is held to 63 characters. */
const name = z
  .string()
  .check(
    z.minLength(1, 'is required'),
    z.maxLength(63, 'must be at most 63 characters (it is a label value on the PipelineRun)'),
    z.regex(DNS1123_SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain'),
  );
const namespace = z
  .string()
  .check(
    z.minLength(1, 'is required'),
    z.maxLength(63, 'must be at most 63 characters'),
    z.regex(DNS1123_LABEL, 'must be a lowercase RFC 1123 label'),
  );

const labels = z
  .record(
    z.string().check(z.maxLength(316, 'label key is too long'), z.regex(LABEL_KEY, 'label key is not valid')),
    z
      .string()
      .check(
        z.maxLength(63, 'label value must be at most 63 characters'),
        z.regex(LABEL_VALUE, 'label value is not valid'),
      ),
  )
  .check(z.refine((m: Record<string, string>) => Object.keys(m).length <= 64, 'at most 64 labels'));

const metadata = z.object({
  name,
  namespace: z._default(namespace, 'default'),
  labels: z.optional(labels),
  annotations: z.optional(z.record(text(253), text(4096))),
});

const workflowRef = z.object({
  workflowId: z
    .string()
    .check(
      z.minLength(1, 'is required'),
      z.maxLength(63, 'must be at most 63 characters (it is a label value on the PipelineRun)'),
      z.regex(LABEL_VALUE, 'must be a valid label value: alphanumerics, "-", "_" or "."'),
    ),
  version: text(100).check(z.minLength(1, 'is required')),
  containerImage: z
    .string()
    .check(
      z.minLength(1, 'workflowRef.containerImage is required'),
      z.maxLength(512, 'must be at most 512 characters'),
      z.regex(IMAGE_REF, 'must be an OCI image reference'),
    ),
  containerDigest: z.optional(z.string().check(z.regex(DIGEST, 'must be sha256:<64 hex characters>'))),
});

const parameters = z
  .record(
    z.string().check(
      z.maxLength(63, 'parameter name must be at most 63 characters'),
      z.regex(PARAMETER_NAME, 'parameter name must be UPPER_SNAKE_CASE'),
      z.refine(
        (k: string) => k !== RESERVED_PARAMETER,
        `${RESERVED_PARAMETER} is reserved: it is set from targetResource`,
      ),
    ),
    text(4096),
  )
  .check(z.refine((m: Record<string, string>) => Object.keys(m).length <= 100, 'at most 100 parameters'));

const executionConfig = z.object({
  timeout: z.optional(
    z.string().check(
      z.maxLength(32, 'must be at most 32 characters'),
      z.refine((t: string) => {
        const ms = parseDuration(t);
        return ms !== undefined && ms > 0 && ms <= 24 * 3_600_000;
      }, 'must be a duration such as 30m, between 1s and 24h'),
    ),
  ),
  serviceAccountName: z.optional(
    z
      .string()
      .check(
        z.maxLength(253, 'must be at most 253 characters'),
        z.regex(DNS1123_SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain'),
      ),
  ),
});

const objectReference = z.object({
  apiVersion: z.optional(text(253)),
  kind: z.optional(text(63)),
  name: z.optional(text(253)),
  namespace: z.optional(text(63)),
  uid: z.optional(text(64)),
});

const spec = z.object({
  remediationRequestRef: z.optional(objectReference),
  workflowRef,
  targetResource: z.string().check(
    z.maxLength(512, 'must be at most 512 characters'),
    z.superRefine((t: string, ctx) => {
      const problem = targetProblem(t);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  parameters: z.optional(parameters),
  confidence: z.optional(
    z.number().check(z.gte(0, 'must be between 0 and 1'), z.lte(1, 'must be between 0 and 1')),
  ),
  rationale: z.optional(text(8192)),
  executionConfig: z.optional(executionConfig),
});

export const manifestSchema = z.object({
  apiVersion: z.literal('kubernaut.ai/v1alpha1', 'must be kubernaut.ai/v1alpha1'),
  kind: z.literal('WorkflowExecution', 'must be WorkflowExecution'),
  metadata,
  spec,
});

export type Manifest = z.infer<typeof manifestSchema>;

export type ParsedRequest =
  | { ok: true; manifest: Manifest }
  | { ok: false; reason: string; id?: RequestIdentity; raw?: unknown };

/**
 * What names a request that failed validation: its namespace and name, and its cluster label when
 * that is a text (the execution's cluster, WE-16, else the deployment's default).
 */
export interface RequestIdentity {
  namespace: string;
  name: string;
  labels?: Record<string, unknown>;
}

/** Parses a message body (JSON) into a manifest, or a rejection with a specific reason. */
export function parseRequest(body: string): ParsedRequest {
  if (Buffer.byteLength(body, 'utf8') > MAX_REQUEST_BYTES) {
    return {
      ok: false,
      reason: `request is ${Buffer.byteLength(body, 'utf8')} bytes; the limit is ${MAX_REQUEST_BYTES}`,
    };
  }
  const lone = body.search(LONE_SURROGATE);
  if (lone >= 0) return { ok: false, reason: `request body is not valid UTF-8 (character ${lone})` };
  if (nestsTooDeep(body)) {
    return {
      ok: false,
      reason: `request nests more than ${MAX_REQUEST_DEPTH} levels deep; the limit is ${MAX_REQUEST_DEPTH}`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `request body is not valid JSON: ${(err as Error).message}` };
  }
  return parseManifest(raw);
}

/** Half of a surrogate pair: a string that cannot be written as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether JSON text nests more than MAX_REQUEST_DEPTH levels, in one pass without recursion (so any
 * input is safe to measure); it answers as soon as the limit is passed.
 */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > MAX_REQUEST_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function parseManifest(raw: unknown): ParsedRequest {
  const result = manifestSchema.safeParse(raw);
  if (result.success) return { ok: true, manifest: result.data };
  const reason = result.error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length > 0 ? fieldPath(i.path) : 'request'}: ${issueMessage(i)}`)
    .join('; ');
  return { ok: false, reason, id: readableIdentity(raw), raw };
}

/** A field path for a message: plain keys joined by dots, any other key quoted (and cut), so input never escapes. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => {
      const text = String(key);
      if (/^[A-Za-z0-9_-]+$/.test(text)) return i === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text.slice(0, 64))}]`;
    })
    .join('');
}

/** A record key's own problem is nested inside zod's generic "Invalid key in record". */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0)
    return issue.issues.map((i) => i.message).join(', ');
  return issue.message;
}

/** The identity of a request that failed validation, if its metadata alone is valid. */
function readableIdentity(raw: unknown): RequestIdentity | undefined {
  const parsed = z
    .object({
      metadata: z.object({
        name,
        namespace: z._default(namespace, 'default'),
        labels: z.catch(z.optional(z.record(z.string(), z.unknown())), undefined),
      }),
    })
    .safeParse(raw);
  if (!parsed.success) return undefined;
  const { labels, ...id } = parsed.data.metadata;
  return labels ? { ...id, labels } : id;
}

/** JSON with object keys sorted, so equal objects give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Identifies what was asked: the same request redelivered has the same hash; a different spec does not. */
export function requestHash(request: unknown): string {
  const r = (request ?? {}) as { metadata?: { labels?: unknown }; spec?: unknown };
  return createHash('sha256')
    .update(canonicalJson({ labels: r.metadata?.labels ?? {}, spec: r.spec ?? null }))
    .digest('hex');
}
