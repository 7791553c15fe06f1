/**
 * SPEC §2 and WE-15: every limit and pattern the request schema holds, one step inside and one step
 * past it, with the reason the user reads. The schema is module-level constants, which mutation runs
 * skip (`--ignoreStatic`), so these rows are what notices a limit moved or a pattern loosened.
 */
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../functions/core/manifest.js';
import { manifest } from '../fixtures/manifests.js';

type Request = ReturnType<typeof manifest>;

/** The fixture's request with one field set by its dotted path, for fields its options do not reach. */
const set = (path: string, value: unknown): Request => {
  const m = manifest();
  const keys = path.split('.');
  const last = keys.pop()!;
  let at: Record<string, unknown> = m;
  for (const key of keys) at = at[key] as Record<string, unknown>;
  at[last] = value;
  return m;
};
const reasonOf = (m: Request) => {
  const parsed = parseManifest(m);
  return parsed.ok ? undefined : parsed.reason;
};
const many = (n: number, key: (i: number) => string) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [key(i), 'v']));
const objectRef = (field: string, value: string) =>
  set('spec.remediationRequestRef', { name: 'rr-1', [field]: value });
const HEX64 = 'a'.repeat(64);

describe('the request at each limit (SPEC §2, WE-15)', () => {
  it.each<[string, Request, string | undefined]>([
    ['100 parameters', manifest({ parameters: many(100, (i) => `P_${i}`) }), undefined],
    [
      '101 parameters',
      manifest({ parameters: many(101, (i) => `P_${i}`) }),
      'spec.parameters: at most 100 parameters',
    ],
    ['a 4,096-character parameter value', manifest({ parameters: { VALUE: 'x'.repeat(4096) } }), undefined],
    [
      'a 4,097-character parameter value',
      manifest({ parameters: { VALUE: 'x'.repeat(4097) } }),
      'spec.parameters.VALUE: must be at most 4096 characters',
    ],
    ['a 63-character parameter name', manifest({ parameters: { ['P'.repeat(63)]: 'v' } }), undefined],
    [
      'a 64-character parameter name',
      manifest({ parameters: { ['P'.repeat(64)]: 'v' } }),
      'parameter name must be at most 63 characters',
    ],
    ['64 labels', manifest({ labels: many(64, (i) => `l${i}`) }), undefined],
    ['65 labels', manifest({ labels: many(65, (i) => `l${i}`) }), 'metadata.labels: at most 64 labels'],
    ['a 316-character label key', manifest({ labels: { ['k'.repeat(316)]: 'v' } }), undefined],
    ['a 317-character label key', manifest({ labels: { ['k'.repeat(317)]: 'v' } }), 'label key is too long'],
    ['a 63-character label value', manifest({ labels: { team: 'v'.repeat(63) } }), undefined],
    [
      'a 64-character label value',
      manifest({ labels: { team: 'v'.repeat(64) } }),
      'metadata.labels.team: label value must be at most 63 characters',
    ],
    ['a 63-character workflowId', manifest({ workflowId: 'w'.repeat(63) }), undefined],
    [
      'a 64-character workflowId',
      manifest({ workflowId: 'w'.repeat(64) }),
      'spec.workflowRef.workflowId: must be at most 63 characters',
    ],
    ['an empty workflowId', manifest({ workflowId: '' }), 'spec.workflowRef.workflowId: is required'],
    ['a 63-character name', manifest({ name: 'n'.repeat(63) }), undefined],
    [
      'a 64-character name',
      manifest({ name: 'n'.repeat(64) }),
      'metadata.name: must be at most 63 characters (it is a label value on the PipelineRun)',
    ],
    ['an empty name', set('metadata.name', ''), 'metadata.name: is required'],
    ['a 63-character namespace', manifest({ namespace: 'n'.repeat(63) }), undefined],
    [
      'a 64-character namespace',
      manifest({ namespace: 'n'.repeat(64) }),
      'metadata.namespace: must be at most 63 characters',
    ],
    ['an empty namespace', set('metadata.namespace', ''), 'metadata.namespace: is required'],
    [
      'a 253-character annotation key and a 4,096-character value',
      set('metadata.annotations', { ['a'.repeat(253)]: 'x'.repeat(4096) }),
      undefined,
    ],
    [
      'a 254-character annotation key',
      set('metadata.annotations', { ['a'.repeat(254)]: 'x' }),
      'must be at most 253 characters',
    ],
    [
      'a 4,097-character annotation value',
      set('metadata.annotations', { note: 'x'.repeat(4097) }),
      'metadata.annotations.note: must be at most 4096 characters',
    ],
    ['a 100-character version', set('spec.workflowRef.version', 'v'.repeat(100)), undefined],
    [
      'a 101-character version',
      set('spec.workflowRef.version', 'v'.repeat(101)),
      'spec.workflowRef.version: must be at most 100 characters',
    ],
    ['an empty version', set('spec.workflowRef.version', ''), 'spec.workflowRef.version: is required'],
    ['a 512-character image', manifest({ image: 'i'.repeat(512) }), undefined],
    [
      'a 513-character image',
      manifest({ image: 'i'.repeat(513) }),
      'spec.workflowRef.containerImage: must be at most 512 characters',
    ],
    ['a sha256 digest', set('spec.workflowRef.containerDigest', `sha256:${HEX64}`), undefined],
    [
      'a digest one hex character short',
      set('spec.workflowRef.containerDigest', `sha256:${HEX64.slice(1)}`),
      'spec.workflowRef.containerDigest: must be sha256:<64 hex characters>',
    ],
    [
      'a digest one hex character long',
      set('spec.workflowRef.containerDigest', `sha256:${HEX64}a`),
      'spec.workflowRef.containerDigest: must be sha256:<64 hex characters>',
    ],
    [
      'a digest with text before it',
      set('spec.workflowRef.containerDigest', `x-sha256:${HEX64}`),
      'spec.workflowRef.containerDigest: must be sha256:<64 hex characters>',
    ],
    [
      'a digest in upper case',
      set('spec.workflowRef.containerDigest', `sha256:${'A'.repeat(64)}`),
      'spec.workflowRef.containerDigest: must be sha256:<64 hex characters>',
    ],
    [
      'a 512-character target',
      manifest({ target: `${'n'.repeat(253)}/${'K'.repeat(4)}/${'a'.repeat(253)}` }),
      undefined,
    ],
    [
      'a 513-character target',
      manifest({ target: `${'n'.repeat(253)}/${'K'.repeat(5)}/${'a'.repeat(253)}` }),
      'spec.targetResource: must be at most 512 characters',
    ],
    ['a timeout of 1s', manifest({ timeout: '1s' }), undefined],
    ['a timeout of 24h', manifest({ timeout: '24h' }), undefined],
    [
      'a timeout of 0s',
      manifest({ timeout: '0s' }),
      'spec.executionConfig.timeout: must be a duration such as 30m, between 1s and 24h',
    ],
    [
      'a timeout of 24h0m1s',
      manifest({ timeout: '24h0m1s' }),
      'spec.executionConfig.timeout: must be a duration such as 30m, between 1s and 24h',
    ],
    ['a 32-character timeout', manifest({ timeout: `${'0'.repeat(29)}30m` }), undefined],
    [
      'a 33-character timeout',
      manifest({ timeout: `${'0'.repeat(30)}30m` }),
      'spec.executionConfig.timeout: must be at most 32 characters',
    ],
    ['a 253-character service account', manifest({ serviceAccountName: 's'.repeat(253) }), undefined],
    [
      'a 254-character service account',
      manifest({ serviceAccountName: 's'.repeat(254) }),
      'spec.executionConfig.serviceAccountName: must be at most 253 characters',
    ],
    ['a confidence of 0', set('spec.confidence', 0), undefined],
    ['a confidence of 1', set('spec.confidence', 1), undefined],
    ['a confidence below 0', set('spec.confidence', -0.01), 'spec.confidence: must be between 0 and 1'],
    ['a confidence above 1', set('spec.confidence', 1.01), 'spec.confidence: must be between 0 and 1'],
    ['an 8,192-character rationale', set('spec.rationale', 'r'.repeat(8192)), undefined],
    [
      'an 8,193-character rationale',
      set('spec.rationale', 'r'.repeat(8193)),
      'spec.rationale: must be at most 8192 characters',
    ],
    [
      'a RemediationRequest reference at every limit',
      set('spec.remediationRequestRef', {
        apiVersion: 'a'.repeat(253),
        kind: 'k'.repeat(63),
        name: 'n'.repeat(253),
        namespace: 's'.repeat(63),
        uid: 'u'.repeat(64),
      }),
      undefined,
    ],
    [
      'a 254-character reference apiVersion',
      objectRef('apiVersion', 'a'.repeat(254)),
      'spec.remediationRequestRef.apiVersion: must be at most 253 characters',
    ],
    [
      'a 64-character reference kind',
      objectRef('kind', 'k'.repeat(64)),
      'spec.remediationRequestRef.kind: must be at most 63 characters',
    ],
    [
      'a 254-character reference name',
      objectRef('name', 'n'.repeat(254)),
      'spec.remediationRequestRef.name: must be at most 253 characters',
    ],
    [
      'a 64-character reference namespace',
      objectRef('namespace', 's'.repeat(64)),
      'spec.remediationRequestRef.namespace: must be at most 63 characters',
    ],
    [
      'a 65-character reference uid',
      objectRef('uid', 'u'.repeat(65)),
      'spec.remediationRequestRef.uid: must be at most 64 characters',
    ],
  ])('%s', (_what, m, reason) => {
    if (reason === undefined) expect(parseManifest(m)).toMatchObject({ ok: true });
    else expect(reasonOf(m)).toContain(reason);
  });
});

describe('the request’s patterns, whole value only (SPEC §2, WE-15)', () => {
  it.each<[string, Request, string | undefined]>([
    ['a name with dots', manifest({ name: 'we.payment.1' }), undefined],
    [
      'a name in upper case',
      manifest({ name: 'We-1' }),
      'metadata.name: must be a lowercase RFC 1123 subdomain',
    ],
    [
      'a name ending in a dash',
      manifest({ name: 'we-' }),
      'metadata.name: must be a lowercase RFC 1123 subdomain',
    ],
    [
      'a name with an empty dot part',
      manifest({ name: 'we..1' }),
      'metadata.name: must be a lowercase RFC 1123 subdomain',
    ],
    ['a namespace with a dash', manifest({ namespace: 'pay-ment' }), undefined],
    [
      'a namespace with a dot',
      manifest({ namespace: 'pay.ment' }),
      'metadata.namespace: must be a lowercase RFC 1123 label',
    ],
    [
      'a namespace starting with a dash',
      manifest({ namespace: '-payment' }),
      'must be a lowercase RFC 1123 label',
    ],
    ['a prefixed label key', manifest({ labels: { 'kubernaut.ai/correlation-id': 'rr-1' } }), undefined],
    ['an empty label value', manifest({ labels: { team: '' } }), undefined],
    ['a label value of dots inside', manifest({ labels: { team: 'a.b_c-d' } }), undefined],
    ['a label value ending in a dot', manifest({ labels: { team: 'ab.' } }), 'label value is not valid'],
    ['a label value starting with a dash', manifest({ labels: { team: '-ab' } }), 'label value is not valid'],
    ['a label key with two slashes', manifest({ labels: { 'a/b/c': 'v' } }), 'label key is not valid'],
    [
      'a label key with an upper-case prefix',
      manifest({ labels: { 'Kubernaut.ai/x': 'v' } }),
      'label key is not valid',
    ],
    ['a label key ending in a dash', manifest({ labels: { 'team-': 'v' } }), 'label key is not valid'],
    ['a workflowId ending in a dash', manifest({ workflowId: 'restart-' }), 'must be a valid label value'],
    ['a parameter name with digits', manifest({ parameters: { P1_2: 'v' } }), undefined],
    ['a parameter name starting with a digit', manifest({ parameters: { '1P': 'v' } }), 'UPPER_SNAKE_CASE'],
    ['a parameter name with a dash', manifest({ parameters: { 'P-Q': 'v' } }), 'UPPER_SNAKE_CASE'],
    [
      'a parameter name in lower case after the first letter',
      manifest({ parameters: { Pq: 'v' } }),
      'UPPER_SNAKE_CASE',
    ],
    [
      'an image with registry, port, path, tag and digest',
      manifest({ image: 'r.io:5000/a/b_c:v1@sha256:ab' }),
      undefined,
    ],
    [
      'an image starting with a slash',
      manifest({ image: '/a/b' }),
      'spec.workflowRef.containerImage: must be an OCI image reference',
    ],
    [
      'an image with a space',
      manifest({ image: 'a b' }),
      'spec.workflowRef.containerImage: must be an OCI image reference',
    ],
    ['a service account with dots', manifest({ serviceAccountName: 'a.b-c' }), undefined],
    [
      'a service account in upper case',
      manifest({ serviceAccountName: 'Runner' }),
      'must be a lowercase RFC 1123 subdomain',
    ],
  ])('%s', (_what, m, reason) => {
    if (reason === undefined) expect(parseManifest(m)).toMatchObject({ ok: true });
    else expect(reasonOf(m)).toContain(reason);
  });
});
