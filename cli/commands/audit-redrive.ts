/**
 * `wfe audit redrive`: replays the audit dead-letter queue to DataStorage and says what happened to
 * each message (functions/core/redrive-audit.ts holds the rules).
 */
import { dataStorageAuditClient } from '../../functions/adapters/datastorage/audit-client.js';
import { sqsAuditDeadLetterQueue } from '../../functions/adapters/sqs/audit-dlq-reader.js';
import { redriveAudit } from '../../functions/core/redrive-audit.js';
import { UsageError } from '../cli-error.js';
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';

const OPTIONS = { max: { type: 'string' }, ...CONNECTION_OPTIONS } as const;
const REQUEST_TIMEOUT_MS = 10_000;

export const auditRedrive: Command = {
  name: 'audit redrive',
  options: OPTIONS,
  help: `Usage: wfe audit redrive [--max N] [--stack NAME]

Sends the audit records parked in the audit dead-letter queue to DataStorage again. Delivered ones
leave the queue; the others stay, and each is listed with the reason it failed this time. It stops
at the first sign DataStorage is down (run it again later). Exits 1 if anything is left undelivered.

Options:
  --max N       look at most at N messages (default: the whole queue)
${CONNECTION_HELP}
  Against AWS, DataStorage is the stack's DataStorageUrl (with its DataStorageTokenSecretArn, when set).
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('audit redrive', argv, OPTIONS);
    noPositionals('audit redrive', positionals);
    const max = values.max === undefined ? undefined : Number(values.max);
    if (max !== undefined && !(Number.isInteger(max) && max > 0))
      throw new UsageError(`--max must be a positive whole number, got "${values.max}"`);
    const report = await withConnection(context, values, async (connection) => {
      const dataStorage = connection.dataStorage();
      return redriveAudit({
        queue: sqsAuditDeadLetterQueue(await connection.sqs(), connection.auditDlqUrl),
        sink: dataStorageAuditClient({ ...dataStorage, timeoutMs: REQUEST_TIMEOUT_MS }),
        ...(max ? { maxMessages: max } : {}),
      });
    });
    context.out.write(
      `delivered ${report.delivered}, failed ${report.failed.length}, left in the audit DLQ ${report.remaining}\n`,
    );
    for (const failure of report.failed) context.out.write(`  ${failure.id}: ${failure.reason}\n`);
    return report.failed.length > 0 ? 1 : 0;
  },
};
