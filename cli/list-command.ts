/**
 * What the listing commands (list, locks, rejections) share: the command line, one connection, and
 * kubectl's printing (printList). Each says only what it lists and how a row looks.
 */
import type { ParseArgsConfig } from 'node:util';
import { type Command, noPositionals, parseCommandLine } from './command.js';
import { CONNECTION_OPTIONS, type Connection, withConnection } from './connect.js';
import { type ListView, OUTPUT_OPTION, outputFormat, printList } from './print.js';

type Options = NonNullable<ParseArgsConfig['options']>;
/** The string flags a listing takes (--phase, --target, …). */
export type ListFlags = Record<string, string | undefined>;

export function listCommand<T>(spec: {
  name: string;
  help: string;
  /** The command's own options; -o and --stack are added. */
  options: Options;
  /** Checks the flags before connecting (throws UsageError) and says what to read. */
  query(flags: ListFlags): (connection: Connection) => Promise<readonly T[]>;
  view(now: Date): ListView<T>;
}): Command {
  const options = { ...spec.options, ...OUTPUT_OPTION, ...CONNECTION_OPTIONS };
  return {
    name: spec.name,
    help: spec.help,
    async run(argv, context) {
      const { values, positionals } = parseCommandLine(spec.name, argv, options);
      noPositionals(spec.name, positionals);
      const flags = values as ListFlags;
      const format = outputFormat(spec.name, flags.output);
      const read = spec.query(flags);
      const items = await withConnection(context, flags, read);
      printList(context, format, { items, ...spec.view(new Date()) });
      return 0;
    },
  };
}
