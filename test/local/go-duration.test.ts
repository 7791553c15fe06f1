import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from '../../local/go-duration.js';

describe('Go durations', () => {
  it.each([
    ['0', 0],
    ['1h', 3_600_000],
    ['1h0m0s', 3_600_000],
    ['90m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2m30s', 150_000],
    ['500ms', 500],
    ['-1s', -1000],
    ['1000us', 1],
  ])('parses %s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '5', '1d', 'h1'])('refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it.each([
    [0, '0s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [150_000, '2m30s'],
    [2_500, '2.5s'],
    [500, '500ms'],
    [-1000, '-1s'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});
