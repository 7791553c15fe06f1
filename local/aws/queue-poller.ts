/**
 * The SQS event source mapping, locally: polls the queue and gathers up to `batchSize` messages
 * (for at most the batching window after the first), invokes the handler with a real-shaped SQSEvent, and deletes the
 * messages the handler did not report in `batchItemFailures`. Failed messages are left alone: they
 * reappear after the queue's visibility timeout, and the queue's redrive policy moves them to the
 * DLQ after maxReceiveCount receives. A handler that throws fails the whole batch.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { type LambdaHandler, LOCAL_REGION, type PollerErrorListener, pause } from './event-source.js';
import { lambdaContext } from './lambda-context.js';

export interface QueuePollerOptions {
  sqs: SQSClient;
  queue: { url: string; arn: string };
  functionName: string;
  timeoutMs: number;
  handler: LambdaHandler<SQSEvent, SQSBatchResponse | undefined>;
  /** Messages per invocation, 1–10 (default 10). */
  batchSize?: number;
  /** How long a batch may gather after its first message, in seconds (default 0: invoke at once). */
  batchingWindowSeconds?: number;
  onError?: PollerErrorListener;
  /** After each invocation: how many messages it got, and how many were left for a retry. */
  onInvoked?: (report: { received: number; failed: number }) => void;
}

export interface Poller {
  /** Stops polling and waits for the invocation in flight, if any, to finish. */
  stop(): Promise<void>;
}

const RECEIVE_RETRY_MS = 1000;
/** How often an empty queue is looked at again, and a batch being gathered topped up. */
const IDLE_POLL_MS = 100;
const GATHER_POLL_MS = 50;

function toRecord(message: Message, queue: { arn: string }): SQSRecord {
  const a = message.Attributes ?? {};
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: v.DataType ?? 'String',
      stringValue: v.StringValue,
      binaryValue: v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : undefined,
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: LOCAL_REGION,
  };
}

/**
 * The messages to retry, as Lambda reads a partial batch response: none when the handler returned
 * no failures; all when a failure names no message of this batch (an invalid response).
 */
export function failedMessageIds(response: unknown, records: SQSRecord[]): Set<string> {
  const failures = (response as Partial<SQSBatchResponse> | undefined)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return new Set();
  const ids = new Set(records.map((r) => r.messageId));
  const named = failures.map((f: { itemIdentifier?: unknown }) => f?.itemIdentifier);
  if (named.some((id) => typeof id !== 'string' || !ids.has(id))) return ids;
  return new Set(named as string[]);
}

export function startQueuePoller(options: QueuePollerOptions): Poller {
  const { sqs, queue, handler } = options;
  const batchSize = options.batchSize ?? 10;
  const windowSeconds = options.batchingWindowSeconds ?? 0;
  const onError = options.onError ?? (() => {});
  const controller = new AbortController();
  const { signal } = controller;

  async function receive(max: number): Promise<Message[]> {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: max,
        // A short poll: local-aws-sqs holds a long poll for its whole wait even once messages are
        // there, which SQS does not; the batching window is kept here instead.
        WaitTimeSeconds: 0,
        // local-aws-sqs reads the older AttributeNames; SQS itself reads either.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return out.Messages ?? [];
  }

  /** Gathers a batch as Lambda does: until it is full, or the window has passed since the first message. */
  async function gather(): Promise<Message[]> {
    const batch = new Map<string, Message>();
    let windowEnds: number | undefined;
    while (!signal.aborted) {
      // A message seen again keeps its newest receipt handle; Lambda never delivers one twice in a batch.
      for (const m of await receive(batchSize - batch.size)) batch.set(m.MessageId ?? '', m);
      if (batch.size >= batchSize) break;
      if (batch.size > 0) {
        windowEnds ??= Date.now() + windowSeconds * 1000;
        if (Date.now() >= windowEnds) break;
      }
      await pause(batch.size > 0 ? GATHER_POLL_MS : IDLE_POLL_MS, signal);
    }
    return [...batch.values()];
  }

  async function invoke(records: SQSRecord[]): Promise<void> {
    let response: SQSBatchResponse | undefined;
    try {
      response = await handler(
        { Records: records },
        lambdaContext(options.functionName, options.timeoutMs, () => signal.aborted),
      );
    } catch (err) {
      onError(err, {
        source: options.functionName,
        detail: `invocation failed; ${records.length} message(s) will be retried`,
      });
      options.onInvoked?.({ received: records.length, failed: records.length });
      return;
    }
    const failed = failedMessageIds(response, records);
    const done = records.filter((r) => !failed.has(r.messageId));
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      try {
        const out = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })),
          }),
        );
        if (out.Failed?.length)
          onError(new Error(out.Failed[0]?.Message ?? 'delete failed'), {
            source: 'queue poller',
            detail: 'DeleteMessageBatch',
          });
      } catch (err) {
        onError(err, { source: 'queue poller', detail: 'DeleteMessageBatch' });
      }
    }
    options.onInvoked?.({ received: records.length, failed: failed.size });
  }

  const loop = (async () => {
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await gather();
      } catch (err) {
        if (signal.aborted) break;
        onError(err, { source: 'queue poller', detail: 'ReceiveMessage' });
        await pause(RECEIVE_RETRY_MS, signal);
        continue;
      }
      if (messages.length > 0) await invoke(messages.map((m) => toRecord(m, queue)));
    }
  })();

  return {
    stop() {
      controller.abort();
      return loop;
    },
  };
}
