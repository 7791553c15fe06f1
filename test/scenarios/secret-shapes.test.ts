/**
 * WE-15: a secret never appears in a log line, an error, a dead letter or an audit record,
 * whatever its shape. Each secret carries a marker; everything the system wrote for it (the
 * Powertools logger's output, the error and its causes, the audit DLQ, what DataStorage received)
 * is searched for the marker.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionFor } from '../../functions/adapters/kubernetes/credentials.js';
import { type DataStorage, startDataStorage } from '../../local/datastorage/server.js';
import { captureConsole, forwarderHarness } from '../audit-forwarder/harness.js';
import { MemoryDeadLetters } from '../fakes/memory-dead-letters.js';
import { StreamShard } from '../fakes/stream-shard.js';
import { manyEvents } from '../fixtures/audit-events.js';
import { outboxRecord } from '../fixtures/dynamodb-stream-events.js';

const MARK = 'S3CR3T';
const EKS_TOKEN = `k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20v${MARK}`;

/** Tokens a header cannot carry or that are merely unusual. */
const TOKENS: [string, string][] = [
  ['a newline', `abc${MARK}\ndef`],
  ['a carriage return', `abc${MARK}\rdef`],
  ['a NUL', `abc${MARK}\u0000def`],
  ['non-ASCII', `abc${MARK}é€def`],
  ['a space', `abc ${MARK}`],
  ['1 MB', `${MARK}${'x'.repeat(1_000_000)}`],
  ['an EKS token with a newline', `${EKS_TOKEN}\nX`],
];

const kubeconfig = (user: string) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://cluster.example.com
contexts:
- name: c
  context:
    cluster: c
    user: u
current-context: c
${user}`;

/** Kubeconfig secrets that do not parse or cannot be used. */
const KUBECONFIGS: [string, string][] = [
  ['not YAML', `token: ${MARK}\n  - [unclosed: {${MARK}`],
  [
    'YAML, badly indented, around a token',
    `${kubeconfig(`users:\n- name: u\n  user:\n    token: ${MARK}abc\n   bad: [`)}`,
  ],
  ['a YAML scalar', `${MARK}-just-a-token`],
  ['YAML without users', kubeconfig('')],
  [
    'a token in exec',
    kubeconfig(
      `users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/sh\n      args: ["-c", "echo ${MARK}"]\n      env: [{name: TOKEN, value: ${MARK}}]`,
    ),
  ],
  ['a tab where YAML wants spaces', `${kubeconfig(`users:\n- name: u\n  user:\n\ttoken: ${MARK}`)}`],
];

/** Every string an error carries: message, stack, causes, and what a logger would serialize. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    parts.push(e.message, e.stack ?? '', JSON.stringify(e));
  }
  return parts.join('\n');
}

describe('WE-15: a kubeconfig secret of any shape never reaches an error or a log', () => {
  it.each(KUBECONFIGS)('%s: refused at start-up, naming the problem and the place only', async (_, yaml) => {
    const logs = captureConsole();
    let error: unknown;
    try {
      await connectionFor(
        { mode: 'kubeconfig', secretArn: 'arn:kubeconfig' },
        { readSecret: async () => yaml },
      );
    } catch (err) {
      error = err;
      new Logger({ serviceName: 'execute' }).error('cold start failed', err as Error);
    }
    logs.restore();
    expect(error, 'the kubeconfig is refused').toBeInstanceOf(Error);
    expect((error as Error).message).toContain('KUBECONFIG_SECRET_ARN');
    expect(errorText(error)).not.toContain(MARK);
    expect(logs.lines.join('\n')).not.toContain(MARK);
  });
});

describe('WE-15: a DataStorage token of any shape never reaches a log, a dead letter or an audit record', () => {
  let ds: DataStorage;
  beforeAll(async () => {
    ds = await startDataStorage();
  });
  afterAll(async () => {
    await ds?.close();
  });
  let logs: ReturnType<typeof captureConsole> | undefined;
  afterEach(() => logs?.restore());

  it.each(TOKENS)(
    '%s: the events are parked with a reason that names the token, not its value',
    async (_, token) => {
      const sent = manyEvents(3, new Date(Date.now() - 60 * 60_000), 'we-secret');
      const shard = new StreamShard(sent.map((e, i) => outboxRecord(e, i)));
      const deadLetters = new MemoryDeadLetters();
      const { invoke, clock } = forwarderHarness({ dataStorage: ds, deadLetters, token: async () => token });
      logs = captureConsole();
      while (!shard.drained && shard.invocations < 60) {
        await shard.invoke(invoke, 10);
        clock.advance(60_000);
      }
      logs.restore();
      expect(shard.drained).toBe(true);
      expect(deadLetters.entries).toHaveLength(3);
      expect(deadLetters.entries[0]!.reason).toContain('DATASTORAGE_TOKEN_SECRET_ARN');
      const written = [
        ...logs.lines,
        ...deadLetters.messages.map((m) => JSON.stringify(m)),
        ...ds.events.map((e) => JSON.stringify(e)),
      ].join('\n');
      expect(written).not.toContain(MARK);
      expect(written).not.toContain(token.slice(0, 12));
    },
  );
});
