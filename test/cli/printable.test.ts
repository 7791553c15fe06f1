/**
 * WE-15: stored text is escaped wherever `wfe` prints it: a stored ESC prints as \u001b, never raw;
 * C1 controls and bidi overrides too; json and yaml stay documents that read back to the same text.
 */

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { json, printable, table, yaml } from '../../cli/print.js';

const hostile = {
  'key\u202e': 'x\u001b[2Jy',
  c1: 'p\u0085q\u009b',
  bidi: 'r\u202es\u2066t\u2069',
  bell: 't\u0007',
  plain: 'plain',
  lines: 'line\nbreak',
};
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('printing stored text (WE-15)', () => {
  it('WE-15: a table cell escapes C0, C1 and bidi characters', () => {
    const out = table(['A', 'B'], [['x\u001b[2J\u202e', 'a\tb\nc']]);
    expect(out).toBe(`A${' '.repeat(18)}B\nx\\u001b[2J\\u202e   a\\u0009b\\u000ac\n`);
    expect(printable('ok')).toBe('ok');
  });

  it('WE-15: json escapes every control and bidi character and reads back the same', () => {
    const out = json(hostile);
    expect(out).not.toMatch(RAW);
    expect(out).toContain('"x\\u001b[2Jy"');
    expect(JSON.parse(out)).toEqual(hostile);
  });

  it('WE-15: yaml escapes every control and bidi character and reads back the same', () => {
    const out = yaml(hostile);
    expect(out.replaceAll('\n', '')).not.toMatch(RAW);
    expect(out).toContain('plain: plain');
    expect(parse(out)).toEqual(hostile);
  });
});
