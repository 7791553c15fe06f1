/**
 * The live progress of `wfe dev`: one line per execution. On a terminal the block is redrawn in
 * place (cursor up, clear to the end of the screen); elsewhere (a pipe, a log, a test) each change
 * is printed once, as a plain timestamped line.
 */
import type { Output } from '../command.js';
import { table } from '../print.js';
import type { ExecutionProgress } from './progress.js';

const HEADERS = ['EXECUTION', 'PHASE', 'TARGET', 'LOCK', 'AUDIT', 'EXPECTED', 'DETAIL'];

const auditText = (p: ExecutionProgress) =>
  p.audit.recorded === 0 ? '-' : `${p.audit.delivered}/${p.audit.recorded} delivered`;
const expectText = (p: ExecutionProgress) =>
  p.expect ? `${p.expect.reached ? 'yes' : 'not yet'}: ${p.expect.text}` : '';

function summary(rows: ExecutionProgress[], startedAt: number, now: number): string {
  const examples = rows.filter((r) => r.expect);
  if (examples.length === 0) return `${rows.length} execution(s)`;
  const reached = examples.filter((r) => r.expect?.reached).length;
  if (reached === examples.length)
    return `all ${examples.length} examples reached their expected end (${Math.round((now - startedAt) / 1000)}s after start); submit more with npx wfe submit -f FILE`;
  return `${reached} of ${examples.length} examples at their expected end`;
}

export class ProgressView {
  private drawnLines = 0;
  private readonly printed = new Map<string, string>();
  private allReachedAnnounced = false;

  constructor(
    private readonly out: Output,
    private readonly startedAt: number,
  ) {}

  get live(): boolean {
    return Boolean(this.out.isTTY);
  }

  render(rows: ExecutionProgress[], now = Date.now()): void {
    if (this.live) this.redraw(rows, now);
    else this.logChanges(rows, now);
  }

  /** Forgets the drawn block, so text written after it is not overwritten by the next redraw. */
  release(): void {
    this.drawnLines = 0;
  }

  private redraw(rows: ExecutionProgress[], now: number): void {
    const width = this.out.columns ?? 160;
    const body = table(
      HEADERS,
      rows.map((r) => [r.key, r.phase, r.target, r.lock.text, auditText(r), expectText(r), r.detail]),
    );
    const lines = [
      ...body.trimEnd().split('\n'),
      '',
      summary(rows, this.startedAt, now),
      'Ctrl-C stops everything.',
    ].map((line) => (line.length >= width ? `${line.slice(0, width - 2)}…` : line));
    // Back to the first line of the previous block, then clear everything below it.
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : '';
    this.out.write(`${up}\x1b[J${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  private logChanges(rows: ExecutionProgress[], now: number): void {
    const time = new Date(now).toISOString().slice(11, 19);
    for (const r of rows) {
      const line = `${r.key} phase=${r.phase} target=${r.target} lock="${r.lock.state}" audit="${auditText(r)}"${r.detail ? ` detail="${r.detail}"` : ''}${r.expect ? ` expected="${expectText(r)}"` : ''}`;
      if (this.printed.get(r.key) === line) continue;
      this.printed.set(r.key, line);
      this.out.write(`${time} ${line}\n`);
    }
    const examples = rows.filter((r) => r.expect);
    if (!this.allReachedAnnounced && examples.length > 0 && examples.every((r) => r.expect?.reached)) {
      this.allReachedAnnounced = true;
      this.out.write(`${time} ${summary(rows, this.startedAt, now)}\n`);
    }
  }
}
