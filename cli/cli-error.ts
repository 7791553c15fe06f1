/**
 * The errors a `wfe` command ends with: one line for the user, and an exit code.
 * Anything else that escapes a command is reported the same way, from its message.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: ErrorOptions & { exitCode?: number } = {}) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** The command line itself is wrong (unknown flag, missing argument): exit code 2, as getopt tools do. */
export class UsageError extends CliError {
  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { ...options, exitCode: 2 });
    this.name = 'UsageError';
  }
}
