/**
 * `wfe submit -f FILE`: validates every manifest in FILE with the schema the execute function uses,
 * then, as kubectl apply does, says per document what it did: created (sent to the request queue),
 * unchanged (stored already with the same spec hash, so nothing is sent) or conflict (the name is
 * stored with another spec: execute would refuse it, so it is not sent). Nothing is sent if any
 * document is invalid.
 */
import { readFile } from 'node:fs/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { requestedCluster } from '../../functions/core/clusters.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { requestHash } from '../../functions/core/manifest.js';
import { CliError, UsageError } from '../cli-error.js';
import { palette } from '../colour.js';
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { manifestDocuments, validateManifests } from '../manifest-file.js';

const OPTIONS = { file: { type: 'string', short: 'f' }, ...CONNECTION_OPTIONS } as const;

export const submit: Command = {
  name: 'submit',
  options: OPTIONS,
  help: `Usage: wfe submit -f FILE [--stack NAME]

Validates each WorkflowExecution in FILE with the same schema the execute function uses, then says
for each one, by its identity (namespace/name):
  created    sent to the request queue (its status shows with \`wfe get\`)
  unchanged  an execution of that name is stored with the same spec and labels: nothing is sent
  conflict   an execution of that name is stored with another spec: it is not sent (use a new name
             for a new request), and wfe exits 1 after sending the others
If any document is invalid, nothing is sent. A manifest sent a moment ago and still in the queue is
not stored yet, so sending it again says created again (the execute function drops the repeat).

FILE is YAML or JSON: one document or many (YAML "---" separators, a JSON array, or a kind: List
with items). "-" reads standard input.

Options:
  -f, --file FILE  the manifests to submit (required)
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('submit', argv, OPTIONS);
    noPositionals('submit', positionals);
    const file = values.file;
    if (!file) throw new UsageError('-f FILE is required (see wfe submit --help)');
    let text: string;
    try {
      text = file === '-' ? await context.readStdin() : await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const source = file === '-' ? 'standard input' : file;
    const manifests = validateManifests(manifestDocuments(text, source), source);
    const paint = palette(context);
    const conflicts = await withConnection(context, values, async (connection) => {
      let clashes = 0;
      for (const manifest of manifests) {
        const id = {
          cluster: requestedCluster(manifest.metadata.labels, connection.settings),
          namespace: manifest.metadata.namespace,
          name: manifest.metadata.name,
        };
        const key = executionKey(id);
        const stored = await connection.store.read(id);
        if (stored && stored.specHash === requestHash(manifest)) {
          context.out.write(`${key} ${paint.dim('unchanged')}\n`);
          continue;
        }
        if (stored) {
          clashes++;
          context.err.write(
            `wfe submit: ${key} ${paint.red('conflict')}: an execution of that name exists with another spec (not sent; use a new name for a new request)\n`,
          );
          continue;
        }
        await (await connection.sqs()).send(
          new SendMessageCommand({ QueueUrl: connection.queueUrl, MessageBody: JSON.stringify(manifest) }),
        );
        context.out.write(`${key} ${paint.green('created')}\n`);
      }
      return clashes;
    });
    return conflicts > 0 ? 1 : 0;
  },
};
