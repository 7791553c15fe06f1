import { describe, expect, it } from 'vitest';
import { lockKey, parseTarget, targetLabelValue, targetProblem } from '../../functions/core/target.js';

describe('targetResource (SPEC §2)', () => {
  it.each([
    'payment/Deployment/payment-api',
    'Node/worker-1',
    'ns/Role/system:controller',
    'kube-system/ConfigMap/a.b_c',
    `ns/Deployment/${'a'.repeat(253)}`,
  ])('accepts %s', (target) => {
    expect(targetProblem(target)).toBeUndefined();
  });

  it.each([
    ['', 'targetResource is required'],
    ['deployment', 'got 1 parts'],
    ['a/b/c/d', 'got 4 parts'],
    ['ns//name', 'empty part at position 1'],
    ['/Deployment/api', 'empty part at position 0'],
    ['ns/Deployment/api\n', 'part at position 2 has characters'],
    ['ns/Deploy ment/api', 'part at position 1 has characters'],
    ['-ns/Deployment/api', 'part at position 0 has characters'],
    [`ns/Deployment/${'a'.repeat(254)}`, 'part at position 2 has characters'],
  ])('refuses %j: %s', (target, problem) => {
    expect(targetProblem(target)).toContain(problem);
  });

  it('splits namespaced and cluster-scoped targets into their parts', () => {
    expect(parseTarget('payment/Deployment/payment-api')).toEqual({
      namespace: 'payment',
      kind: 'Deployment',
      name: 'payment-api',
    });
    expect(parseTarget('Node/worker-1')).toEqual({ kind: 'Node', name: 'worker-1' });
  });
});

describe('lockKey (WE-1)', () => {
  it('is one key per exact, case-sensitive target per cluster', () => {
    expect(lockKey('prod-eu', 'ns/Deployment/api')).toBe('prod-eu#ns/Deployment/api');
    expect(lockKey('prod-eu', 'ns/deployment/api')).not.toBe(lockKey('prod-eu', 'ns/Deployment/api'));
    expect(lockKey('prod-us', 'ns/Deployment/api')).not.toBe(lockKey('prod-eu', 'ns/Deployment/api'));
  });
});

describe('targetLabelValue (WE-4)', () => {
  it('keeps Kubernaut’s form: / becomes __', () => {
    expect(targetLabelValue('payment/Deployment/payment-api')).toBe('payment__Deployment__payment-api');
  });

  it('always produces a valid label value for the target', () => {
    const long = `ns/Deployment/${'a'.repeat(80)}`;
    expect(targetLabelValue(long)).toHaveLength(63);
    expect(targetLabelValue('ns/Role/system:controller_')).toBe('ns__Role__system_controller');
    expect(targetLabelValue('a/b/c')).toMatch(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/);
  });

  it('trims every character that is not alphanumeric from both ends, also where the 63-character cut lands', () => {
    expect(targetLabelValue('._x/y-.')).toBe('x__y');
    // 61 characters of kind, then "__" from the slash: the cut keeps both underscores, the trim drops them.
    expect(targetLabelValue(`${'K'.repeat(61)}/name`)).toBe('K'.repeat(61));
  });
});
