/**
 * What every `wfe` command is: a name as typed, its help, and a run function over the command
 * line after the name. Commands write to `context.out`/`context.err` and read `context.env`, never
 * the process's own, so tests can run them in process.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './cli-error.js';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliContext {
  out: Output;
  err: Output;
  env: Record<string, string | undefined>;
  cwd: string;
  /** All of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  /**
   * For a command that runs until stopped (`wfe dev`): a signal aborted on SIGINT or SIGTERM.
   * Other commands never ask, so Ctrl-C ends them at once.
   */
  stopSignal(): AbortSignal;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** As typed after `wfe`, e.g. "audit redrive". */
  name: string;
  /** Full help text: usage line, what it does, options. */
  help: string;
  /** The flags it takes, as parseArgs reads them (shell completion lists them too). */
  options: Options;
  /** Returns the exit code (default 0); throws CliError for a failure the user can act on. */
  run(argv: string[], context: CliContext): Promise<number | undefined>;
}

/** Every way a flag can be typed: `--name`, and `-x` for a short one. */
export function flagSpellings(options: Options): string[] {
  return Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/** parseArgs with strict checking, whose complaints become one-line usage errors. */
export function parseCommandLine<const O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const unknown = /^Unknown option '([^']+)'/.exec((err as Error).message)?.[1];
    const problem = unknown
      ? `unknown flag ${unknown}${didYouMean(unknown, flagSpellings(options))}`
      : (err as Error).message.split('\n')[0];
    throw new UsageError(`${problem} (see wfe ${command} --help)`, { cause: err });
  }
}

/** Edit distance: insertions, deletions and substitutions of one character each count 1. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length]!;
}

/** `; did you mean X?` for the known word closest to a typo, when one is close enough to be meant. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const bare = typed.split('=')[0]!;
  const ranked = known
    .map((word) => ({ word, d: distance(bare, word) }))
    .sort((a, b) => a.d - b.d || a.word.localeCompare(b.word));
  const best = ranked[0];
  const near = Math.max(2, Math.floor(bare.length / 3));
  return best && best.d <= near ? `; did you mean ${best.word}?` : '';
}

/** The one positional argument a command needs, or a usage error naming it. */
export function onePositional(command: string, positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`${what} is required (see wfe ${command} --help)`);
  if (positionals.length > 1)
    throw new UsageError(`unexpected argument "${positionals[1]}" (see wfe ${command} --help)`);
  return positionals[0]!;
}

export function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}" (see wfe ${command} --help)`);
}
