/**
 * WE-15: control, C1 and bidi-override characters. Identities refuse them all; free text (parameter
 * values, annotations, rationale) keeps tab, newline and carriage return and refuses the rest.
 */
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../functions/core/manifest.js';
import { manifest } from '../fixtures/manifests.js';

const HOSTILE = ['\u0000', '\u001b', '\u007f', '\u0085', '\u009b', '\u202a', '\u202e', '\u2066', '\u2069'];
const name = (c: string) => JSON.stringify(c);

type Edit = (m: ReturnType<typeof manifest>, c: string) => void;
const identities: Record<string, Edit> = {
  'metadata.name': (m, c) => {
    m.metadata.name = `we${c}x`;
  },
  'metadata.namespace': (m, c) => {
    m.metadata.namespace = `ns${c}x`;
  },
  'spec.targetResource': (m, c) => {
    m.spec.targetResource = `default/deployment/app${c}x`;
  },
  'spec.workflowRef.workflowId': (m, c) => {
    m.spec.workflowRef.workflowId = `wf${c}x`;
  },
  'metadata.labels': (m, c) => {
    (m.metadata as { labels?: Record<string, string> }).labels = { team: `a${c}b` };
  },
};
const freeText: Record<string, Edit> = {
  'spec.parameters': (m, c) => {
    (m.spec.parameters as Record<string, string>).NAMESPACE = `prod${c}uction`;
  },
  'spec.rationale': (m, c) => {
    (m.spec as { rationale?: string }).rationale = `because${c}`;
  },
  'metadata.annotations': (m, c) => {
    (m.metadata as { annotations?: Record<string, string> }).annotations = { note: `a${c}b` };
  },
};

describe('control and bidi characters in every field (WE-15)', () => {
  for (const [field, edit] of Object.entries({ ...identities, ...freeText })) {
    it.each(HOSTILE.map((c) => [name(c), c]))(`WE-15: ${field} refuses %s`, (_label, c) => {
      const m = manifest();
      edit(m, c);
      const parsed = parseManifest(m);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toContain(field.split('.').at(-1));
    });
  }

  for (const [field, edit] of Object.entries(freeText)) {
    it.each(['\t', '\n', '\r'].map((c) => [name(c), c]))(`WE-15: ${field} keeps %s`, (_label, c) => {
      const m = manifest();
      edit(m, c);
      expect(parseManifest(m).ok).toBe(true);
    });
  }

  it('WE-15: free text refuses half of a surrogate pair and keeps a whole one', () => {
    const m = manifest({ parameters: { TEXT: 'a\ud800b' } });
    expect(parseManifest(m)).toMatchObject({
      ok: false,
      reason: 'spec.parameters.TEXT: must be valid UTF-8',
    });
    expect(parseManifest(manifest({ parameters: { TEXT: 'a😀b' } })).ok).toBe(true);
  });
});
