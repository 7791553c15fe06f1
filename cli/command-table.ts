/**
 * Every `wfe` command: its synopsis and summary for the top-level help, and how to load it. Commands
 * load on demand, so `wfe get` never pays for what `wfe dev` imports. Help, shell completion and the
 * closest-name suggestions all read this one table.
 */
import type { Command } from './command.js';

export interface Entry {
  synopsis: string;
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: Record<string, Entry> = {
  submit: {
    synopsis: 'submit -f FILE',
    summary: 'validate WorkflowExecution manifests and send them: created, unchanged or conflict',
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
  'audit show': {
    synopsis: 'audit show NS/NAME',
    summary: "an execution's audit trail in DataStorage, oldest first, duplicates marked",
    load: async () => (await import('./commands/audit-show.js')).auditShow,
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
  version: {
    synopsis: 'version',
    summary: "wfe's version, the commit it was built from, and Node's version",
    load: async () => (await import('./commands/version.js')).version,
  },
  completion: {
    synopsis: 'completion bash|zsh',
    summary: 'print a shell completion script for wfe',
    load: async () => (await import('./commands/completion.js')).completion,
  },
  help: {
    synopsis: 'help [COMMAND]',
    summary: 'this help, or one command’s',
    load: async () => (await import('./commands/help.js')).help,
  },
};

/** Commands typed as two words (`audit show`): the first word groups them. */
export const GROUPS: readonly string[] = [
  ...new Set(
    Object.keys(COMMANDS)
      .filter((name) => name.includes(' '))
      .map((name) => name.split(' ')[0]!),
  ),
];

/** The command a command line names, and the words after it; undefined when none. */
export function resolveCommand(argv: readonly string[]): { name: string; rest: string[] } | undefined {
  const [first, second] = argv;
  if (first === undefined) return undefined;
  const name = GROUPS.includes(first) && second !== undefined ? `${first} ${second}` : first;
  if (!COMMANDS[name]) return undefined;
  return { name, rest: argv.slice(name.split(' ').length) };
}

export function topLevelHelp(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.synopsis.length)) + 2;
  const lines = Object.values(COMMANDS).map((c) => `  ${c.synopsis.padEnd(width)}${c.summary}`);
  return `wfe: submit, inspect and operate WorkflowExecutions

Usage: wfe <command> [options]

Commands:
${lines.join('\n')}

Which system: --stack NAME or WFE_STACK names a CloudFormation stack, and the command uses that
deployment on AWS (the default credential chain; every setting from the stack's outputs), even where
a local system runs. Otherwise, while \`npm start\` (wfe dev) runs in this checkout, commands use it;
else the stack named wfe.

Run \`wfe help <command>\` or \`wfe <command> --help\` for a command's options.
`;
}

/** The help of a group (`wfe audit`): its commands. */
export function groupHelp(group: string): string {
  const entries = Object.entries(COMMANDS).filter(([name]) => name.startsWith(`${group} `));
  const width = Math.max(...entries.map(([name]) => name.length - group.length)) + 1;
  const lines = entries.map(([name, e]) => `  ${name.slice(group.length + 1).padEnd(width)}${e.summary}`);
  return `Usage: wfe ${group} <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}
