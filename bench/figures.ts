/**
 * The shape of what the bench reports: sections of figures, each with its unit, the baseline it is
 * measured beside, and the SPEC §7 target with pass/fail where the SPEC gives one.
 */
export interface Target {
  /** The SPEC's words, e.g. "≤ 3 per execution". */
  text: string;
  pass: boolean;
}

export interface Baseline {
  label: string;
  value: number;
  unit: string;
}

export interface Figure {
  /** Stable key for results.json, e.g. "lifecycle.writeRequests". */
  id: string;
  label: string;
  value: number;
  unit: string;
  baseline?: Baseline;
  target?: Target;
  /** Why this number is what it is, in a line. */
  note?: string;
}

export interface Section {
  id: string;
  title: string;
  figures: Figure[];
  /** Conditions and caveats that apply to the whole section. */
  notes: string[];
  /** How long the measurement took, set by the runner. */
  seconds?: number;
  /** Raw samples and breakdowns, for whoever wants more than the table. */
  details?: Record<string, unknown>;
}

export const round = (value: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function figure(
  id: string,
  label: string,
  value: number,
  unit: string,
  extra: Omit<Figure, 'id' | 'label' | 'value' | 'unit'> = {},
): Figure {
  return { id, label, value, unit, ...extra };
}

/** "≤ limit": passes when the value does not exceed it. */
export const atMost = (value: number, limit: number, text: string): Target => ({
  text,
  pass: value <= limit,
});
