/**
 * The live progress of `wfe dev`: one line per execution. On a terminal the block is redrawn in
 * place (cursor up, clear to the end of the screen); elsewhere (a pipe, a log, a test) each change
 * is printed once, as a plain timestamped line.
 */
import type { Output } from '../command.js';
import { printable, table } from '../print.js';
import type { ExecutionProgress } from './progress.js';

const HEADERS = ['EXECUTION', 'PHASE', 'TARGET', 'LOCK', 'AUDIT', 'EXPECTED', 'DETAIL'];

const auditText = (p: ExecutionProgress) =>
  p.audit.recorded === 0 ? '-' : `${p.audit.delivered}/${p.audit.recorded} delivered`;
const expectText = (p: ExecutionProgress) =>
  p.expect ? `${p.expect.reached ? 'yes' : 'not yet'}: ${p.expect.text}` : '';
/** The live view is short of room: a mark instead of words. */
const expectMark = (p: ExecutionProgress) =>
  p.expect ? `${p.expect.reached ? '✓' : '…'} ${p.expect.text}` : '';

const allReached = (rows: ExecutionProgress[]) => {
  const examples = rows.filter((r) => r.expect);
  return examples.length > 0 && examples.every((r) => r.expect?.reached);
};

export class ProgressView {
  private drawnLines = 0;
  private readonly printed = new Map<string, string>();
  /** When every example first stood at its expected end. */
  private reachedAt: number | undefined;

  constructor(
    private readonly out: Output,
    private readonly startedAt: number,
  ) {}

  get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  render(rows: ExecutionProgress[], now = Date.now()): void {
    const announce = this.reachedAt === undefined && allReached(rows);
    if (announce) this.reachedAt = now;
    if (this.live) this.redraw(rows);
    else this.logChanges(rows, now, announce);
  }

  private summary(rows: ExecutionProgress[]): string {
    const examples = rows.filter((r) => r.expect);
    if (examples.length === 0) return `${rows.length} execution(s)`;
    if (this.reachedAt !== undefined) {
      const seconds = Math.round((this.reachedAt - this.startedAt) / 1000);
      return `all ${examples.length} examples reached their expected end (${seconds}s after start); submit more with npx wfe submit -f FILE`;
    }
    const reached = examples.filter((r) => r.expect?.reached).length;
    return `${reached} of ${examples.length} examples at their expected end`;
  }

  /** Forgets the drawn block, so text written after it is not overwritten by the next redraw. */
  release(): void {
    this.drawnLines = 0;
  }

  private redraw(rows: ExecutionProgress[]): void {
    const width = this.out.columns || 160;
    const body = table(
      HEADERS,
      rows.map((r) => [r.key, r.phase, r.target, r.lock.text, auditText(r), expectMark(r), r.detail]),
    );
    const lines = [...body.trimEnd().split('\n'), '', this.summary(rows), 'Ctrl-C stops everything.'].map(
      (line) => (line.length >= width ? `${line.slice(0, width - 2)}…` : line),
    );
    // Back to the first line of the previous block, then clear everything below it.
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : '';
    this.out.write(`${up}\x1b[J${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  private logChanges(rows: ExecutionProgress[], now: number, announce: boolean): void {
    const time = new Date(now).toISOString().slice(11, 19);
    for (const r of rows) {
      const line = `${r.key} phase=${r.phase} target=${r.target} lock="${r.lock.state}" audit="${auditText(r)}"${r.detail ? ` detail="${r.detail}"` : ''}${r.expect ? ` expected="${expectText(r)}"` : ''}`;
      if (this.printed.get(r.key) === line) continue;
      this.printed.set(r.key, line);
      this.out.write(`${time} ${printable(line)}\n`);
    }
    if (announce) this.out.write(`${time} ${this.summary(rows)}\n`);
  }
}
