/**
 * What the listing commands (list, locks, rejections) share: the command line (kubectl's -n/-A,
 * --limit/--continue, -o name, -w), one connection, and kubectl's printing (printList). Each says
 * only what it lists and how a row looks.
 *
 * A page that is not the last ends with its continuation token: in `metadata.continue` of the
 * json/yaml List, as the Kubernetes API returns it, and otherwise on stderr as the command line
 * that reads the next page, so the table or names on stdout stay clean for a pipe.
 */
import type { ParseArgsConfig } from 'node:util';
import {
  InvalidContinueToken,
  type ListPage,
  type PageRequest,
} from '../functions/adapters/dynamodb/listing.js';
import { UsageError } from './cli-error.js';
import { type Command, noPositionals, parseCommandLine } from './command.js';
import { CONNECTION_OPTIONS, type Connection, withConnection } from './connect.js';
import {
  columnWidths,
  json,
  type ListView,
  OUTPUT_OPTION,
  type OutputFormat,
  outputFormat,
  printList,
  tableLine,
  yaml,
} from './print.js';
import { type Change, type Followed, follow } from './watch.js';

type Options = NonNullable<ParseArgsConfig['options']>;
/** The flags a listing was given (--phase, --target, -A, …). */
export type ListFlags = Record<string, string | boolean | undefined>;

/** One listing on one connection. */
export interface Listing<T> {
  read(request: PageRequest): Promise<ListPage<T>>;
  /** What an empty table says, e.g. "No executions found in namespace payment." */
  empty: string;
}

export const NAMESPACE_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
} as const;

const PAGE_OPTIONS = {
  limit: { type: 'string' },
  continue: { type: 'string' },
  watch: { type: 'boolean', short: 'w' },
} as const;

export const PAGE_HELP = `  --limit N            at most N items, in order; a next page is announced with its --continue
  --continue TOKEN     the next page of the same listing (the token the last page printed)
  -w, --watch          after the listing, print a line for each change until Ctrl-C`;

/** The namespace asked for with -n/-A; `fallback` without either (undefined: every namespace). */
export function namespaceFlag(command: string, flags: ListFlags, fallback: string | undefined) {
  const named = flags.namespace as string | undefined;
  if (named !== undefined && flags['all-namespaces'])
    throw new UsageError(`-n and -A ask for different namespaces: give one (see wfe ${command} --help)`);
  if (named === '') throw new UsageError(`-n needs a namespace (see wfe ${command} --help)`);
  if (flags['all-namespaces']) return undefined;
  return named ?? fallback;
}

/** A flag's text value; a value-less string flag never gets here (parseArgs refuses it). */
export const textFlag = (flags: ListFlags, name: string) => flags[name] as string | undefined;

function limitFlag(command: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(text))
    throw new UsageError(
      `--limit must be a whole number from 1 to 999999, got "${text}" (see wfe ${command} --help)`,
    );
  return Number(text);
}

/** The command line again, with --continue TOKEN in place of any it had. */
function nextPageCommand(command: string, argv: string[], token: string): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--continue') i++;
    else if (!argv[i]!.startsWith('--continue=')) kept.push(argv[i]!);
  }
  const quoted = kept.map((arg) =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`,
  );
  return ['wfe', command, ...quoted, '--continue', token].join(' ');
}

export function listCommand<T>(spec: {
  name: string;
  help: string;
  /** The command's own options; -o, --stack, --limit, --continue and -w are added. */
  options: Options;
  /** Checks the flags before connecting (throws UsageError) and says what to read. */
  query(flags: ListFlags): (connection: Connection) => Listing<T>;
  view(now: Date): Omit<ListView<T>, 'empty'>;
  /** How -w tells items and their changes apart, and finds one that left the listing. */
  watch: Pick<Followed<T>, 'identity' | 'revision'> & {
    reread(item: T, connection: Connection): Promise<T | undefined>;
    /** The table row of an item that no longer exists (a lock released); else its last row. */
    goneRow?(item: T, now: Date, wide: boolean): readonly string[];
  };
}): Command {
  const options = { ...spec.options, ...OUTPUT_OPTION, ...PAGE_OPTIONS, ...CONNECTION_OPTIONS };
  return {
    name: spec.name,
    help: spec.help,
    options,
    async run(argv, context) {
      const { values, positionals } = parseCommandLine(spec.name, argv, options);
      noPositionals(spec.name, positionals);
      const flags = values as ListFlags;
      const format = outputFormat(spec.name, textFlag(flags, 'output'));
      const limit = limitFlag(spec.name, textFlag(flags, 'limit'));
      const token = textFlag(flags, 'continue');
      if (flags.watch && (limit !== undefined || token !== undefined))
        throw new UsageError(`-w follows the whole listing: it takes no --limit or --continue`);
      const open = spec.query(flags);
      return withConnection(context, { stack: textFlag(flags, 'stack') }, async (connection) => {
        const listing = open(connection);
        const read = async (request: PageRequest) => {
          try {
            return await listing.read(request);
          } catch (err) {
            if (err instanceof InvalidContinueToken) throw new UsageError(err.message, { cause: err });
            throw err;
          }
        };
        const page = await read({ limit, continue: token });
        printList(context, format, { ...page, ...spec.view(new Date()), empty: listing.empty });
        if (page.continue !== undefined && format !== 'json' && format !== 'yaml')
          context.err.write(`more: ${nextPageCommand(spec.name, argv, page.continue)}\n`);
        if (!flags.watch) return 0;

        const wide = format === 'wide';
        const view = spec.view(new Date());
        const widths = columnWidths(
          wide ? view.wideHeaders : view.headers,
          page.items.map((item) => view.row(item, wide)),
        );
        const print = ({ item, gone }: Change<T>) => {
          const now = new Date();
          const changed = spec.view(now);
          context.out.write(
            changeText(
              format,
              changed,
              item,
              () => {
                if (gone && spec.watch.goneRow) return spec.watch.goneRow(item, now, wide);
                return changed.row(item, wide);
              },
              widths,
            ),
          );
        };
        await follow(
          {
            read: async () => (await read({})).items,
            identity: spec.watch.identity,
            revision: spec.watch.revision,
            reread: (item) => spec.watch.reread(item, connection),
          },
          page.items,
          print,
          { signal: context.stopSignal() },
        );
        return 0;
      });
    },
  };
}

/** How one change prints in each format: a row under the table, a document, a name. */
function changeText<T>(
  format: OutputFormat,
  view: Omit<ListView<T>, 'empty'>,
  item: T,
  row: () => readonly string[],
  widths: readonly number[],
): string {
  if (format === 'json') return json(view.resource(item));
  if (format === 'yaml') return `---\n${yaml(view.resource(item))}`;
  if (format === 'name') return tableLine([view.name(item)], []);
  return tableLine(row(), widths);
}
