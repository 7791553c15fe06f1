/**
 * `wfe version` (and `wfe --version`): what is running, for a bug report.
 */
import { buildInfo } from '../build-info.js';
import { type Command, noPositionals, parseCommandLine } from '../command.js';

export const version: Command = {
  name: 'version',
  options: {},
  help: `Usage: wfe version

Prints wfe's version, the git commit it was built from (or, run from the sources, the checkout's),
and the version of Node.js running it. \`wfe --version\` is the same.
`,
  async run(argv, context) {
    const { positionals } = parseCommandLine('version', argv, {});
    noPositionals('version', positionals);
    const info = buildInfo();
    const from = info.built ? 'built from commit' : 'sources at commit';
    context.out.write(`wfe ${info.version}\n${from} ${info.commit ?? 'unknown'}\nnode ${process.version}\n`);
    return 0;
  },
};
