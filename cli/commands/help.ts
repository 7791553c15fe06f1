/**
 * `wfe help [COMMAND]`: the top-level help, a group's (`wfe help audit`), or one command's, the same
 * text `wfe COMMAND --help` prints.
 */
import { UsageError } from '../cli-error.js';
import { type Command, didYouMean, parseCommandLine } from '../command.js';
import { COMMANDS, GROUPS, groupHelp, resolveCommand, topLevelHelp } from '../command-table.js';

export const help: Command = {
  name: 'help',
  options: {},
  help: `Usage: wfe help [COMMAND]

Prints the help of COMMAND (e.g. \`wfe help get\`, \`wfe help audit show\`), the same as
\`wfe COMMAND --help\`; without COMMAND, the list of commands.
`,
  async run(argv, context) {
    const { positionals } = parseCommandLine('help', argv, {});
    if (positionals.length === 0) {
      context.out.write(topLevelHelp());
      return 0;
    }
    if (positionals.length === 1 && GROUPS.includes(positionals[0]!)) {
      context.out.write(groupHelp(positionals[0]!));
      return 0;
    }
    const resolved = resolveCommand(positionals);
    const typed = positionals.join(' ');
    if (!resolved || resolved.rest.length > 0)
      throw new UsageError(
        `no command "${typed}"${didYouMean(typed, Object.keys(COMMANDS))} (see wfe --help)`,
      );
    context.out.write((await COMMANDS[resolved.name]!.load()).help);
    return 0;
  },
};
