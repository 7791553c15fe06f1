/**
 * Output formats shared by the commands: kubectl-like tables (`-o wide` adds columns), JSON and YAML.
 */
import { Document, visit } from 'yaml';
import { UsageError } from './cli-error.js';

export const OutputFormat = {
  Table: 'table',
  Wide: 'wide',
  Json: 'json',
  Yaml: 'yaml',
  Name: 'name',
} as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

const FORMATS: readonly string[] = Object.values(OutputFormat);

/** The `-o` flag; absent means a table. */
export function outputFormat(command: string, value: string | undefined): OutputFormat {
  if (value === undefined) return OutputFormat.Table;
  if (!FORMATS.includes(value))
    throw new UsageError(
      `-o must be one of ${FORMATS.join(', ')}, got "${value}" (see wfe ${command} --help)`,
    );
  return value as OutputFormat;
}

export const OUTPUT_OPTION = { output: { type: 'string', short: 'o' } } as const;

/**
 * Stored text as a terminal may show it: C0 and C1 controls, DEL and the bidi overrides and
 * isolates (which reorder what follows) become \u escapes, so no stored text can move the
 * cursor, clear the screen or disguise itself. Tab and newline too: a table cell is one line.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeCharacter);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** What JSON and YAML leave raw (they escape C0 themselves): C1 controls and the bidi characters. */
const RAW_IN_DOCUMENTS = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const escapeCharacter = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Columns padded to their widest cell, separated by three spaces, as kubectl prints them. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columnWidths(headers, rows);
  return [headers, ...rows].map((cells) => tableLine(cells, widths)).join('');
}

/** Each column's width: its widest cell as printed. */
export function columnWidths(headers: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return headers.map((h, i) => Math.max(h.length, ...rows.map((r) => printable(r[i] ?? '').length)));
}

/** One table line with its cells escaped and padded to `widths` (a wider cell pushes the rest). */
export function tableLine(cells: readonly string[], widths: readonly number[]): string {
  const line = cells
    .map(printable)
    .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
    .join('   ')
    .trimEnd();
  return `${line}\n`;
}

/** JSON with every control and bidi character escaped (they occur only inside strings, where \\u is valid). */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(RAW_IN_DOCUMENTS, escapeCharacter)}\n`;
}

/** YAML; a string holding a control or bidi character is double-quoted, where \\u escapes are valid. */
export function yaml(value: unknown): string {
  const document = new Document(value);
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && new RegExp(UNPRINTABLE.source).test(node.value))
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return document.toString({ lineWidth: 0 }).replace(RAW_IN_DOCUMENTS, escapeCharacter);
}

/** kubectl's short ages: 42s, 5m10s under ten minutes, 3h, 2d. */
export function age(since: string | Date | undefined, now: Date): string {
  if (since === undefined) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/**
 * Prints a listing the way kubectl does: the resources as a json or yaml list, their names
 * (`-o name`), or a table (wider with -o wide); an empty table is a note on stderr, so piped
 * output stays empty.
 */
export interface ListView<T> {
  /** The json/yaml document around the resources; `metadata.continue` when more may follow. */
  document: (resources: unknown[], metadata?: { continue: string }) => unknown;
  resource: (item: T) => unknown;
  /** What `-o name` prints: `kind/identity`. */
  name: (item: T) => string;
  empty: string;
  headers: readonly string[];
  wideHeaders: readonly string[];
  row: (item: T, wide: boolean) => readonly string[];
}

export function printList<T>(
  context: { out: { write(text: string): unknown }; err: { write(text: string): unknown } },
  format: OutputFormat,
  list: ListView<T> & { items: readonly T[]; continue?: string },
): void {
  if (format === 'json' || format === 'yaml') {
    const metadata = list.continue === undefined ? undefined : { continue: list.continue };
    const body = list.document(list.items.map(list.resource), metadata);
    context.out.write(format === 'json' ? json(body) : yaml(body));
    return;
  }
  if (list.items.length === 0) {
    context.err.write(`${list.empty}\n`);
    return;
  }
  if (format === 'name') {
    context.out.write(list.items.map((item) => `${printable(list.name(item))}\n`).join(''));
    return;
  }
  const wide = format === 'wide';
  context.out.write(
    table(
      wide ? list.wideHeaders : list.headers,
      list.items.map((item) => list.row(item, wide)),
    ),
  );
}
