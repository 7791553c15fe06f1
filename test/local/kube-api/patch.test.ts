import { describe, expect, it } from 'vitest';
import {
  type JsonValue,
  jsonPatch,
  MalformedPatchError,
  mergePatch,
  PatchConflictError,
} from '../../../local/kube-api/patch.js';

describe('mergePatch (RFC 7386)', () => {
  it.each<[JsonValue, JsonValue, JsonValue]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: { b: 'c', d: 'e' } }, { a: { b: null } }, { a: { d: 'e' } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 'b' }, ['c'], ['c']],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('does not change its input', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('jsonPatch (RFC 6902)', () => {
  const doc = { spec: { params: [{ name: 'a' }], status: 'x' }, 'we/ird': 1, 'til~de': 2 };

  it.each<[string, JsonValue, JsonValue]>([
    ['add', [{ op: 'add', path: '/spec/new', value: 1 }], { ...doc, spec: { ...doc.spec, new: 1 } }],
    [
      'add to array end',
      [{ op: 'add', path: '/spec/params/-', value: { name: 'b' } }],
      { ...doc, spec: { ...doc.spec, params: [{ name: 'a' }, { name: 'b' }] } },
    ],
    ['remove', [{ op: 'remove', path: '/spec/status' }], { ...doc, spec: { params: [{ name: 'a' }] } }],
    [
      'replace',
      [{ op: 'replace', path: '/spec/status', value: 'y' }],
      { ...doc, spec: { ...doc.spec, status: 'y' } },
    ],
    [
      'escaped keys',
      [
        { op: 'remove', path: '/we~1ird' },
        { op: 'remove', path: '/til~0de' },
      ],
      { spec: doc.spec },
    ],
    [
      'move',
      [{ op: 'move', from: '/spec/status', path: '/moved' }],
      { ...doc, spec: { params: [{ name: 'a' }] }, moved: 'x' },
    ],
    ['copy', [{ op: 'copy', from: '/spec/status', path: '/copied' }], { ...doc, copied: 'x' }],
    [
      'test then add',
      [
        { op: 'test', path: '/spec/status', value: 'x' },
        { op: 'add', path: '/ok', value: true },
      ],
      { ...doc, ok: true },
    ],
  ])('%s', (_name, patch, expected) => {
    expect(jsonPatch(doc, patch)).toEqual(expected);
  });

  it.each<[string, JsonValue]>([
    ['a failed test', [{ op: 'test', path: '/spec/status', value: 'nope' }]],
    ['removing a missing path', [{ op: 'remove', path: '/spec/missing' }]],
    ['replacing a missing path', [{ op: 'replace', path: '/nothing/here', value: 1 }]],
  ])('refuses %s as a conflict', (_name, patch) => {
    expect(() => jsonPatch(doc, patch)).toThrow(PatchConflictError);
  });

  it('refuses a document that is not a patch', () => {
    expect(() => jsonPatch(doc, { op: 'add' })).toThrow(MalformedPatchError);
    expect(() => jsonPatch(doc, [{ op: 'explode', path: '/' }])).toThrow(MalformedPatchError);
  });
});
