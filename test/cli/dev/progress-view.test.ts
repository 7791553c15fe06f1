import { describe, expect, it } from 'vitest';
import type { ExecutionProgress } from '../../../cli/dev/progress.js';
import { ProgressView } from '../../../cli/dev/progress-view.js';

const row = (over: Partial<ExecutionProgress> = {}): ExecutionProgress => ({
  key: 'payment/we-a',
  phase: 'Running',
  target: 'payment/Deployment/api',
  lock: { state: 'held (running)', text: 'held (running)' },
  audit: { recorded: 1, delivered: 1 },
  detail: '',
  expect: { text: 'Completed', reached: false },
  ...over,
});

function capture(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
}

describe('progress view', () => {
  it('redraws one line per execution in place on a terminal', () => {
    const { writes, out } = capture(true);
    const view = new ProgressView(out, 0);
    view.render([row()], 1000);
    view.render([row({ phase: 'Completed', expect: { text: 'Completed', reached: true } })], 2000);
    expect(writes[0]!.startsWith('\x1b[J')).toBe(true);
    expect(writes[0]).toMatch(/EXECUTION\s+PHASE\s+TARGET\s+LOCK\s+AUDIT/);
    expect(writes[0]).toMatch(
      /payment\/we-a\s+Running\s+payment\/Deployment\/api\s+held \(running\)\s+1\/1 delivered/,
    );
    const lines = writes[0]!.trimEnd().split('\n').length;
    // Back up over the previous block, clear it, draw the new one.
    expect(writes[1]!.startsWith(`\x1b[${lines}F\x1b[J`)).toBe(true);
    expect(writes[1]).toMatch(/all 1 examples reached their expected end \(2s after start\)/);
  });

  it('cuts lines to the terminal width, so the redraw never wraps', () => {
    const { writes, out } = capture(true);
    out.columns = 40;
    new ProgressView(out, 0).render([row()], 0);
    for (const line of writes[0]!.replace('\x1b[J', '').trimEnd().split('\n'))
      expect(line.length).toBeLessThan(40);
  });

  it('prints each change once, as a plain line, elsewhere', () => {
    const { writes, out } = capture(false);
    const view = new ProgressView(out, 0);
    view.render([row()], 0);
    view.render([row({ lock: { state: 'held (running)', text: 'other text' } })], 500);
    view.render([row({ phase: 'Completed', expect: { text: 'Completed', reached: true } })], 1000);
    expect(writes.join('')).not.toContain('\x1b');
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(
      /^\d\d:\d\d:\d\d payment\/we-a phase=Running target=payment\/Deployment\/api lock="held \(running\)" audit="1\/1 delivered"/,
    );
    expect(writes[1]).toMatch(/phase=Completed/);
    expect(writes[2]).toMatch(/all 1 examples reached their expected end/);
  });
});
