/**
 * `wfe` argv → command. Commands load on demand, so `wfe get` never pays for what `wfe dev`
 * imports. Every failure ends here as one line on stderr and a non-zero exit code.
 */
import { CliError } from './cli-error.js';
import type { CliContext, Command } from './command.js';

interface Entry {
  synopsis: string;
  summary: string;
  load(): Promise<Command>;
}

const COMMANDS: Record<string, Entry> = {
  submit: {
    synopsis: 'submit -f FILE',
    summary: 'validate WorkflowExecution manifests (YAML or JSON) and send them to the request queue',
    load: async () => (await import('./commands/submit.js')).submit,
  },
  get: {
    synopsis: 'get NS/NAME',
    summary: 'show one execution (-o json|yaml|wide)',
    load: async () => (await import('./commands/get.js')).get,
  },
  list: {
    synopsis: 'list',
    summary: 'list executions (--phase, --target)',
    load: async () => (await import('./commands/list.js')).list,
  },
  locks: {
    synopsis: 'locks',
    summary: 'list target locks: holder, state, release time',
    load: async () => (await import('./commands/locks.js')).locks,
  },
  rejections: {
    synopsis: 'rejections',
    summary: 'list requests refused into the dead-letter queue, and why',
    load: async () => (await import('./commands/rejections.js')).rejections,
  },
  release: {
    synopsis: 'release TARGET --reason TEXT',
    summary: "force-release a target's lock (audited: who and why)",
    load: async () => (await import('./commands/release.js')).release,
  },
  'audit redrive': {
    synopsis: 'audit redrive',
    summary: 'replay the audit dead-letter queue to DataStorage',
    load: async () => (await import('./commands/audit-redrive.js')).auditRedrive,
  },
  'events-sink': {
    synopsis: 'events-sink',
    summary: "print the events sink's URL (token included) and the kubectl command for Tekton",
    load: async () => (await import('./commands/events-sink.js')).eventsSink,
  },
  dev: {
    synopsis: 'dev',
    summary: 'run the whole system locally (what `npm start` runs)',
    load: async () => (await import('./commands/dev.js')).dev,
  },
};

export function topLevelHelp(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.synopsis.length)) + 2;
  const lines = Object.values(COMMANDS).map((c) => `  ${c.synopsis.padEnd(width)}${c.summary}`);
  return `wfe: submit, inspect and operate WorkflowExecutions

Usage: wfe <command> [options]

Commands:
${lines.join('\n')}

Which system: while \`npm start\` (wfe dev) runs in this checkout, commands use it with no setup.
Otherwise they use AWS: the default credential chain, and the outputs of the CloudFormation stack
named by --stack or WFE_STACK (default: wfe).

Run \`wfe <command> --help\` for a command's options.
`;
}

function resolve(argv: string[]): { name: string; rest: string[] } | undefined {
  const [first, second] = argv;
  if (first === undefined) return undefined;
  if (first === 'audit') {
    if (second === undefined || second.startsWith('-')) return undefined;
    return { name: `audit ${second}`, rest: argv.slice(2) };
  }
  return { name: first, rest: argv.slice(1) };
}

const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '') ?? text;

/** Runs one command line; returns the exit code. */
export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    context.out.write(topLevelHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === 'audit' && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
    context.out.write(
      `Usage: wfe audit redrive [options]\n\n  redrive  ${COMMANDS['audit redrive']!.summary}\n`,
    );
    return argv.length === 1 ? 2 : 0;
  }
  const resolved = resolve(argv);
  const entry = resolved && COMMANDS[resolved.name];
  if (!resolved || !entry) {
    context.err.write(
      `wfe: unknown command "${argv.slice(0, first === 'audit' ? 2 : 1).join(' ')}" (see wfe --help)\n`,
    );
    return 2;
  }
  try {
    const command = await entry.load();
    if (resolved.rest.includes('--help') || resolved.rest.includes('-h')) {
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
