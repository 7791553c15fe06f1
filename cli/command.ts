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

export interface Command {
  /** As typed after `wfe`, e.g. "audit redrive". */
  name: string;
  /** Full help text: usage line, what it does, options. */
  help: string;
  /** Returns the exit code (default 0); throws CliError for a failure the user can act on. */
  run(argv: string[], context: CliContext): Promise<number | undefined>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict checking, whose complaints become one-line usage errors. */
export function parseCommandLine<const O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see wfe ${command} --help)`, {
      cause: err,
    });
  }
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
