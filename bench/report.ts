/** The readable table on stdout: one block per section, one row per figure. */
import type { Figure, Section } from './figures.js';

const number = (v: number) =>
  Number.isNaN(v)
    ? 'n/a'
    : Math.abs(v) >= 100
      ? Math.round(v).toLocaleString('en-US')
      : String(Math.round(v * 100) / 100);

const amount = (v: number, unit: string) => `${number(v)} ${unit}`.trim();

function row(f: Figure): string[] {
  return [
    f.label,
    amount(f.value, f.unit),
    f.baseline ? `${f.baseline.label}: ${amount(f.baseline.value, f.baseline.unit)}` : '',
    f.target ? f.target.text : '',
    f.target ? (f.target.pass ? 'pass' : 'MISS') : '',
  ];
}

export function renderTable(sections: Section[]): string {
  const header = ['measurement', 'value', 'beside (baseline, same run)', 'target', ''];
  const rows = sections.flatMap((s) => s.figures.map(row));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const s of sections) {
    out.push('', s.title);
    for (const f of s.figures) out.push(line(row(f)));
    for (const note of s.notes) out.push(`  · ${note}`);
  }
  const missed = sections.flatMap((s) => s.figures.filter((f) => f.target && !f.target.pass));
  out.push(
    '',
    missed.length === 0
      ? 'All SPEC §7 targets met.'
      : `SPEC §7 targets missed: ${missed.map((f) => `${f.label} (${amount(f.value, f.unit)}, target ${f.target?.text})`).join('; ')}`,
  );
  return out.join('\n');
}
