/**
 * `wfe submit -f FILE`: validates every manifest in FILE with the schema the execute function uses,
 * then sends each to the request queue and prints its identity. Nothing is sent if any is invalid.
 */
import { readFile } from 'node:fs/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { executionKey } from '../../functions/core/execution-id.js';
import { CliError, UsageError } from '../cli-error.js';
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { manifestDocuments, validateManifests } from '../manifest-file.js';

const OPTIONS = { file: { type: 'string', short: 'f' }, ...CONNECTION_OPTIONS } as const;

export const submit: Command = {
  name: 'submit',
  options: OPTIONS,
  help: `Usage: wfe submit -f FILE [--stack NAME]

Validates each WorkflowExecution in FILE with the same schema the execute function uses, then sends
each one to the request queue and prints its identity (namespace/name). If any document is invalid,
nothing is sent. Sending the same manifest again is a no-op; the identity's status shows with
\`wfe get\`.

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
    await withConnection(context, values, async (connection) => {
      const sqs = await connection.sqs();
      for (const manifest of manifests) {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: connection.queueUrl, MessageBody: JSON.stringify(manifest) }),
        );
        context.out.write(`${executionKey(manifest.metadata)} submitted\n`);
      }
    });
    return 0;
  },
};
