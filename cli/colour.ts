/**
 * Colours for what wfe itself says (an outcome, a marker), on a terminal only: never when the output
 * is a pipe or a file, nor with NO_COLOR set or TERM=dumb. Stored data is never coloured, so no
 * stored text can choose how the screen looks.
 */
import type { CliContext } from './command.js';

const CODES = { red: 31, green: 32, yellow: 33, dim: 2 } as const;

export type Palette = Record<keyof typeof CODES, (text: string) => string>;

export function palette(context: Pick<CliContext, 'out' | 'env'>): Palette {
  const on = Boolean(context.out.isTTY) && context.env.NO_COLOR === undefined && context.env.TERM !== 'dumb';
  const paint = (code: number) => (text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    red: paint(CODES.red),
    green: paint(CODES.green),
    yellow: paint(CODES.yellow),
    dim: paint(CODES.dim),
  };
}
