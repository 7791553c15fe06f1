import { describe, expect, it } from 'vitest';
import { bounded, MAX_TEXT } from '../../functions/core/bounded-text.js';

describe('bounded (WE-15)', () => {
  it('WE-15: keeps a text within the bound as it is', () => {
    const text = 'x'.repeat(MAX_TEXT);
    expect(bounded(text)).toBe(text);
  });

  it('WE-15: cuts a longer text and says how much was cut', () => {
    expect(bounded('a'.repeat(MAX_TEXT + 1_043_210))).toBe(
      `${'a'.repeat(MAX_TEXT)}… [cut 1,043,210 characters]`,
    );
    expect(bounded('abcdef', 2)).toBe('ab… [cut 4 characters]');
  });

  it('WE-15: never splits a surrogate pair', () => {
    const cut = bounded(`a${'😀'.repeat(10)}`, 4);
    expect(cut).toBe('a😀… [cut 18 characters]');
  });
});
