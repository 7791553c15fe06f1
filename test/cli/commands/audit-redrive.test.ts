import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsAuditDeadLetters } from '../../../functions/adapters/sqs/audit-dead-letters.js';
import { auditEvent } from '../../../functions/core/audit-event.js';
import type { Execution } from '../../../functions/core/execution.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/aws/dynamodb-local.js';
import { type CliSystem, nowhere, startCliSystem, wfe } from '../harness.js';

describe('wfe audit redrive', () => {
  let cli: CliSystem;
  let sqs: SQSClient;
  beforeAll(async () => {
    cli = await startCliSystem();
    sqs = new SQSClient({
      endpoint: cli.system.endpoints.sqs.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(async () => {
    sqs?.destroy();
    await cli?.stop();
  });

  const execution: Execution = {
    id: { cluster: 'default', namespace: 'ops', name: 'we-parked' },
    specHash: 'x',
    target: 'ops/Deployment/parked',
    status: { phase: 'Running', startTime: new Date().toISOString(), conditions: {} },
    createdAt: new Date().toISOString(),
    version: 1,
  };

  it('reports an empty audit DLQ', async () => {
    expect(await cli.run(['audit', 'redrive'])).toEqual({
      code: 0,
      out: 'delivered 0, failed 0, left in the audit DLQ 0\n',
      err: '',
    });
  });

  it('delivers parked events to DataStorage and keeps what cannot be replayed, saying why', async () => {
    const event = auditEvent('workflow.started', execution, new Date());
    await sqsAuditDeadLetters(sqs, cli.system.endpoints.sqs.auditDlqUrl).send([
      { event, record: { parked: 'by test' }, reason: 'DataStorage unavailable: 503' },
    ]);
    // What the stream mapping sends after its retries: metadata about records, not an event.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: cli.system.endpoints.sqs.auditDlqUrl,
        MessageBody: JSON.stringify({
          DDBStreamBatchInfo: {
            shardId: 'shard-1',
            startSequenceNumber: '7',
            endSequenceNumber: '7',
            batchSize: 1,
          },
        }),
      }),
    );
    const result = await cli.run(['audit', 'redrive']);
    expect(result.code).toBe(1);
    const [summary, failure] = result.out.trimEnd().split('\n');
    expect(summary).toBe('delivered 1, failed 1, left in the audit DLQ 1');
    expect(failure).toMatch(
      /^ {2}\S+: not an audit dead letter: a stream on-failure record \(shard shard-1, .*7/,
    );
    const url = new URL('/api/v1/audit/events?correlation_id=we-parked', cli.system.dataStorage?.url);
    const stored = ((await (await fetch(url)).json()) as { data: { event_type: string }[] }).data;
    expect(stored.map((e) => e.event_type)).toEqual(['workflow.started']);
  });

  it('fails with one line when no system is reachable, and has --help', async () => {
    const { dir, env } = await nowhere();
    const result = await wfe(['audit', 'redrive'], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^wfe audit redrive: no system to talk to: .*\n$/);
    expect((await cli.run(['audit', 'redrive', '--help'])).out).toMatch(/^Usage: wfe audit redrive/);
    expect((await cli.run(['audit', 'redrive', '--max', '0'])).code).toBe(2);
  });
});
