/**
 * `wfe` argv → command (cli/command-table.ts lists them). Every failure ends here as one line on
 * stderr and a non-zero exit code.
 */
import { CliError } from './cli-error.js';
import { type CliContext, didYouMean } from './command.js';
import { COMMANDS, GROUPS, groupHelp, resolveCommand, topLevelHelp } from './command-table.js';

const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '') ?? text;
const isHelpFlag = (word: string | undefined) => word === '--help' || word === '-h';

/** Runs one command line; returns the exit code. */
export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const first = argv[0];
  if (first === undefined || isHelpFlag(first)) {
    context.out.write(topLevelHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version') argv = ['version', ...argv.slice(1)];
  if (GROUPS.includes(first) && (argv.length === 1 || isHelpFlag(argv[1]))) {
    context.out.write(groupHelp(first));
    return argv.length === 1 ? 2 : 0;
  }
  const resolved = resolveCommand(argv);
  const entry = resolved && COMMANDS[resolved.name];
  if (!resolved || !entry) {
    const typed = argv.slice(0, GROUPS.includes(argv[0]!) ? 2 : 1).join(' ');
    context.err.write(
      `wfe: unknown command "${typed}"${didYouMean(typed, Object.keys(COMMANDS))} (see wfe --help)\n`,
    );
    return 2;
  }
  try {
    const command = await entry.load();
    if (resolved.rest.some(isHelpFlag)) {
      context.out.write(command.help);
      return 0;
    }
    return (await command.run(resolved.rest, context)) ?? 0;
  } catch (err) {
    if (context.env.WFE_DEBUG && err instanceof Error) context.err.write(`${err.stack ?? err.message}\n`);
    const message = err instanceof Error ? err.message : String(err);
    context.err.write(`wfe ${resolved.name}: ${firstLine(message)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}
