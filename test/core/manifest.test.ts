import { describe, expect, it } from 'vitest';
import { correlationId } from '../../functions/core/correlation.js';
import {
  MAX_REQUEST_BYTES,
  parseManifest,
  parseRequest,
  requestHash,
} from '../../functions/core/manifest.js';
import { manifest } from '../fixtures/manifests.js';

const problem = (raw: unknown) => {
  const parsed = parseManifest(raw);
  if (parsed.ok) throw new Error('expected a rejection');
  return parsed;
};

describe('the request (SPEC §2)', () => {
  it('accepts the SPEC example and defaults the namespace', () => {
    const m = manifest();
    const { namespace: _ns, ...metadata } = m.metadata;
    const parsed = parseManifest({ ...m, metadata });
    expect(parsed.ok && parsed.manifest.metadata.namespace).toBe('default');
  });

  it('says what is wrong with bad JSON', () => {
    const parsed = parseRequest('{"apiVersion": ');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/^request body is not valid JSON: /);
    expect(!parsed.ok && parsed.id).toBeUndefined();
  });

  it('refuses an oversize body before parsing it', () => {
    const parsed = parseRequest(' '.repeat(256 * 1024 + 1));
    expect(!parsed.ok && parsed.reason).toMatch(/limit is 262144/);
  });

  it.each([
    [{ image: '' }, 'spec.workflowRef.containerImage: workflowRef.containerImage is required'],
    [
      { target: 'deployment' },
      'spec.targetResource: targetResource must be in format {namespace}/{kind}/{name} (namespaced) or {kind}/{name} (cluster-scoped), got 1 parts',
    ],
    [{ target: 'ns//name' }, 'spec.targetResource: targetResource has empty part at position 1'],
    [{ target: 'a/b/c/d' }, 'got 4 parts'],
    [{ parameters: { lowercase: 'x' } }, 'parameter name must be UPPER_SNAKE_CASE'],
    [{ parameters: { TARGET_RESOURCE: 'x' } }, 'TARGET_RESOURCE is reserved'],
    [{ workflowId: 'has spaces' }, 'spec.workflowRef.workflowId: must be a valid label value'],
    [
      { serviceAccountName: 'Bad_SA' },
      'spec.executionConfig.serviceAccountName: must be a lowercase RFC 1123 subdomain',
    ],
    [{ timeout: 'forever' }, 'spec.executionConfig.timeout: must be a duration such as 30m'],
    [{ labels: { 'kubernaut.ai/correlation-id': 'has space' } }, 'label value is not valid'],
  ])('rejects %j with a specific reason, keeping the identity', (options, reason) => {
    const rejection = problem(manifest(options));
    expect(rejection.reason).toContain(reason);
    expect(rejection.id).toMatchObject({ namespace: 'default', name: 'we-test' });
  });

  it('rejects a wrong kind or apiVersion', () => {
    expect(problem({ ...manifest(), kind: 'Pod' }).reason).toContain('kind: must be WorkflowExecution');
    expect(problem({ ...manifest(), apiVersion: 'v1' }).reason).toContain(
      'apiVersion: must be kubernaut.ai/v1alpha1',
    );
  });

  it('has no identity when the name itself is invalid', () => {
    const rejection = problem(manifest({ name: 'Bad_Name' }));
    expect(rejection.reason).toContain('metadata.name: must be a lowercase RFC 1123 subdomain');
    expect(rejection.id).toBeUndefined();
    expect(problem(manifest({ name: 'x'.repeat(64) })).id).toBeUndefined();
  });

  it('takes the correlation id from the label, else the RemediationRequest, else the name', () => {
    const ok = (o: Parameters<typeof manifest>[0]) => {
      const p = parseManifest(manifest(o));
      if (!p.ok) throw new Error(p.reason);
      return correlationId(p.manifest);
    };
    expect(
      ok({ labels: { 'kubernaut.ai/correlation-id': 'test-corr-12345' }, remediationRequest: 'rr-1' }),
    ).toBe('test-corr-12345');
    expect(ok({ remediationRequest: 'rr-1' })).toBe('rr-1');
    expect(ok({ name: 'we-plain' })).toBe('we-plain');
  });

  it('hashes the same request equally whatever its key order, and a different spec differently', () => {
    const a = manifest();
    const reordered = { spec: a.spec, metadata: a.metadata, kind: a.kind, apiVersion: a.apiVersion };
    expect(requestHash(reordered)).toBe(requestHash(a));
    expect(requestHash(manifest({ target: 'default/deployment/other' }))).not.toBe(requestHash(a));
  });

  it('hashes labels and spec whatever the key order inside them, and a key set to undefined as one left out', () => {
    const a = manifest({ labels: { team: 'pay', tier: 'gold' } });
    const { workflowRef, targetResource, parameters } = a.spec;
    const reordered = {
      ...a,
      metadata: { ...a.metadata, labels: { tier: 'gold', team: 'pay' } },
      spec: { parameters, targetResource, workflowRef: { ...workflowRef } },
    };
    expect(requestHash(reordered)).toBe(requestHash(a));
    expect(requestHash({ ...a, spec: { ...a.spec, rationale: undefined } })).toBe(requestHash(a));
    expect(requestHash(manifest({ labels: { team: 'pay' } }))).not.toBe(requestHash(a));
  });
  it('hashes a request as earlier releases did: a stored specHash still matches its redelivered request', () => {
    expect(requestHash(manifest())).toBe('1e03720882dc3bfb3661586f8ca484a7848e53eef7270bc786eb5685941ea9f2');
    // A rejected request's hash covers whatever was sent: arrays, nulls, numbers, non-ASCII.
    expect(
      requestHash({
        metadata: { labels: { b: '2', a: '1' } },
        spec: { list: [1, { y: null, x: 'é' }], n: 0.5 },
      }),
    ).toBe('769945d1b6120c78240010fd5a98c31116c54ba4ec73cef9c7f42db652ee630e');
  });

  it('lists the first ten problems of a request, each with its field', () => {
    const parameters = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`bad${i}`, 'v']));
    const reason = (parseManifest(manifest({ parameters })) as { reason: string }).reason;
    const problems = reason.split('; ');
    expect(problems).toHaveLength(10);
    expect(problems[0]).toBe('spec.parameters.bad0: parameter name must be UPPER_SNAKE_CASE');
  });
});

describe('the request body before its schema (SPEC §2, WE-15)', () => {
  const reasonOf = (body: string) => {
    const parsed = parseRequest(body);
    return parsed.ok ? undefined : parsed.reason;
  };
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('takes a body of exactly the size limit to the JSON parser', () => {
    expect(reasonOf(' '.repeat(MAX_REQUEST_BYTES))).toMatch(/^request body is not valid JSON/);
  });

  it('takes 32 levels of nesting to the schema and refuses 33', () => {
    expect(reasonOf(nested(32))).toMatch(/^request: /);
    expect(reasonOf(nested(33))).toBe('request nests more than 32 levels deep; the limit is 32');
  });

  it('counts depth, not brackets: 40 arrays side by side are one level', () => {
    expect(reasonOf(`[${'[],'.repeat(39)}[]]`)).toMatch(/^request: /);
  });

  it('an escaped quote does not end a string, so the brackets after it are still text', () => {
    expect(reasonOf(JSON.stringify([`"${'['.repeat(40)}`]))).toMatch(/^request: /);
  });

  it('names the first character that is half of a surrogate pair, the very first included', () => {
    expect(reasonOf('\udc00{}')).toBe('request body is not valid UTF-8 (character 0)');
  });

  it('quotes a field name that is not plain, cut to 64 characters, so input never escapes the message', () => {
    const reason = reasonOf(
      JSON.stringify(manifest({ parameters: { 'a b': 'v', [`${'c'.repeat(70)} x`]: 'v' } })),
    );
    expect(reason).toContain('spec.parameters["a b"]: parameter name must be UPPER_SNAKE_CASE');
    expect(reason).toContain(`spec.parameters["${'c'.repeat(64)}"]: parameter name must be`);
  });
});
