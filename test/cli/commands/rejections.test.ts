import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SQS_MESSAGE_BYTES } from '../../../functions/adapters/sqs/request-queue.js';
import { eventually } from '../../local/aws/eventually.js';
import { type CliSystem, startCliSystem } from '../harness.js';

describe('wfe rejections (WE-15)', () => {
  let cli: CliSystem;
  beforeAll(async () => {
    cli = await startCliSystem();
  });
  afterAll(() => cli?.stop());

  it('WE-15: shows the reason of an invalid body at the queue size limit, which its dead letter has no room for, escaped', async () => {
    const { sqs, region } = cli.system.endpoints;
    const client = new SQSClient({
      endpoint: sqs.endpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const full = `\u001b[2J${'x'.repeat(MAX_SQS_MESSAGE_BYTES - 4)}`;
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: full }));
    await client.send(
      new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: `{"a":${'['.repeat(5000)}` }),
    );
    client.destroy();
    await eventually(async () => {
      const { out } = await cli.run(['rejections']);
      expect(out.split('\n').filter(Boolean)).toHaveLength(3);
    }, 20_000);
    const { out } = await cli.run(['rejections']);
    expect(out).toMatch(/^MESSAGE-ID\s+BYTES\s+AGE\s+REASON$/m);
    expect(out).toMatch(/\s262144\s+\d+s\s+request body is not valid JSON: /);
    expect(out).toContain('request nests more than 32 levels deep; the limit is 32');
    expect(out).not.toContain('\u001b');
    const { items } = JSON.parse((await cli.run(['rejections', '-o', 'json'])).out);
    expect(items).toHaveLength(2);
  });
});
