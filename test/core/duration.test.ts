import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../functions/core/duration.js';

describe('durations', () => {
  it.each([
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['10s', 10_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['0', 0],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', 'm', '5 m', '-5s', '5d', '5m junk'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it.each([
    [0, '0s'],
    [400, '0s'],
    [45_000, '45s'],
    [150_000, '2m30s'],
    [3_600_000, '1h0m0s'],
  ])('formats %d ms as Go does (%s)', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
