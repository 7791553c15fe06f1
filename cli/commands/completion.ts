/**
 * `wfe completion bash|zsh`: a completion script generated from the command table and each
 * command's flags, so it lists what this wfe takes and never drifts from it.
 */
import { UsageError } from '../cli-error.js';
import { type Command, flagSpellings, onePositional, parseCommandLine } from '../command.js';
import { COMMANDS, GROUPS } from '../command-table.js';

const SHELLS = ['bash', 'zsh'] as const;
const HELP_FLAGS = ['--help', '-h'];

interface Words {
  /** What may follow `wfe`: commands, group names, --help, --version. */
  top: string[];
  /** What may follow each group's name. */
  groups: Record<string, string[]>;
  /** Each command's flags, by its full name. */
  flags: Record<string, string[]>;
  /** Words a command takes as its argument: the shells for `completion`, commands for `help`. */
  values: Record<string, string[]>;
}

async function words(): Promise<Words> {
  const names = Object.keys(COMMANDS);
  const flags: Record<string, string[]> = {};
  for (const name of names)
    flags[name] = [...flagSpellings((await COMMANDS[name]!.load()).options), ...HELP_FLAGS];
  const groups = Object.fromEntries(
    GROUPS.map((g) => [g, names.filter((n) => n.startsWith(`${g} `)).map((n) => n.slice(g.length + 1))]),
  );
  const top = [...new Set(names.map((n) => n.split(' ')[0]!)), ...HELP_FLAGS, '--version'];
  return {
    top,
    groups,
    flags,
    values: { completion: [...SHELLS], help: top.filter((w) => !w.startsWith('-')) },
  };
}

/** A case-statement arm per key, `pattern) body;;`, in the given shell's quoting. */
const arms = (map: Record<string, string[]>, body: (list: string) => string) =>
  Object.entries(map)
    .map(([key, list]) => `    '${key}') ${body(list.join(' '))} ;;`)
    .join('\n');

function bash(w: Words): string {
  return `# wfe completion for bash. Load it with:  source <(wfe completion bash)
_wfe() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" at=2
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W '${w.top.join(' ')}' -- "$cur"))
    return
  fi
  case "$cmd" in
${arms(w.groups, (list) => `if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W '${list}' -- "$cur")); return; fi; cmd="$cmd \${COMP_WORDS[2]}"; at=3`)}
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
${arms(w.flags, (list) => `COMPREPLY=($(compgen -W '${list}' -- "$cur"))`)}
    esac
  elif [[ $COMP_CWORD -eq $at ]]; then
    case "$cmd" in
${arms(w.values, (list) => `COMPREPLY=($(compgen -W '${list}' -- "$cur"))`)}
    esac
  fi
}
complete -o default -F _wfe wfe
`;
}

function zsh(w: Words): string {
  return `#compdef wfe
# wfe completion for zsh. Load it with:  source <(wfe completion zsh)
# (or save it as _wfe in a directory on $fpath).
_wfe() {
  local cmd=\${words[2]} at=3
  if (( CURRENT == 2 )); then
    compadd -- ${w.top.join(' ')}
    return
  fi
  case $cmd in
${arms(w.groups, (list) => `if (( CURRENT == 3 )); then compadd -- ${list}; return; fi; cmd="$cmd \${words[3]}"; at=4`)}
  esac
  if [[ $PREFIX == -* ]]; then
    case $cmd in
${arms(w.flags, (list) => `compadd -- ${list}`)}
    esac
  elif (( CURRENT == at )) && [[ $cmd == (${Object.keys(w.values).join('|')}) ]]; then
    case $cmd in
${arms(w.values, (list) => `compadd -- ${list}`)}
    esac
  else
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _wfe "$@"; else compdef _wfe wfe; fi
`;
}

export const completion: Command = {
  name: 'completion',
  options: {},
  help: `Usage: wfe completion bash|zsh

Prints a script that completes wfe's commands and flags in that shell. Load it in the current shell:
  source <(wfe completion bash)        # or zsh
or for every new one:
  wfe completion bash > ~/.local/share/bash-completion/completions/wfe
  wfe completion zsh > "\${fpath[1]}/_wfe"
`,
  async run(argv, context) {
    const { positionals } = parseCommandLine('completion', argv, {});
    const shell = onePositional('completion', positionals, 'the shell (bash or zsh)');
    if (!(SHELLS as readonly string[]).includes(shell))
      throw new UsageError(`no completion for "${shell}": bash or zsh (see wfe completion --help)`);
    const w = await words();
    context.out.write(shell === 'bash' ? bash(w) : zsh(w));
    return 0;
  },
};
