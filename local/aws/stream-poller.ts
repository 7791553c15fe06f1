/**
 * The DynamoDB stream event source mapping, locally, over DynamoDB Local's stream: reads every
 * shard from TRIM_HORIZON (parents before children) about four times a second, keeps the records
 * the filter matches, and invokes the handler with batches of up to `batchSize`, one at a time per
 * shard so order is kept.
 *
 * Failures are handled as the mapping does with ReportBatchItemFailures: a reported sequence number
 * means "retry from here" (the records before it are done); a thrown error fails the batch, which is
 * halved first when bisecting (without using a retry). Retries back off. After `retryAttempts`
 * retries, or once the oldest record is older than `maxRecordAgeMs`, the failed range is reported to
 * `onFailure` (the on-failure destination: metadata about the records, not the records) and
 * processing moves past it.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type LambdaHandler, type PollerErrorListener, pause } from './event-source.js';
import { lambdaContext } from './lambda-context.js';
import type { Poller } from './queue-poller.js';
import { toLambdaRecord } from './stream-record.js';

/** What the mapping sends its on-failure destination (Lambda's DDBStreamBatchInfo record). */
export interface StreamBatchFailure {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface StreamPollerOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  functionName: string;
  timeoutMs: number;
  handler: LambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse | undefined>;
  /** Records that do not match are skipped, never delivered (default: all match). */
  filter?: (record: DynamoDBRecord) => boolean;
  /** Default 100. */
  batchSize?: number;
  /** Default 250 ms. */
  pollIntervalMs?: number;
  /** Retries of a failing batch before it goes to `onFailure`; -1 (the default) retries until the record is too old. */
  retryAttempts?: number;
  /** Default: no limit. */
  maxRecordAgeMs?: number;
  bisectBatchOnError?: boolean;
  /** Backoff between retries: base × 2^(retry − 1), capped (default 500 ms, 10 s). */
  retryBackoff?: { baseMs: number; maxMs: number };
  onFailure?: (failure: StreamBatchFailure) => Promise<void>;
  onError?: PollerErrorListener;
  onInvoked?: (report: { records: number; failed: number }) => void;
}

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
  /** The last sequence number read from the shard, to re-open an iterator after it. */
  lastRead?: string;
  /** No more records will ever come from this shard. */
  closed: boolean;
  /** Read, filtered, not yet done. */
  pending: DynamoDBRecord[];
  batchLimit: number;
  retries: number;
  invokes: number;
  retryAt: number;
}

const SHARD_REFRESH_MS = 5000;
/** While a shard has ended and its child is not known yet, look for the child more often. */
const CHILD_LOOKUP_MS = 1000;
const FETCH_LIMIT = 1000;

const sequenceOf = (r: DynamoDBRecord) => r.dynamodb?.SequenceNumber ?? '';
const arrivalOf = (r: DynamoDBRecord | undefined) =>
  new Date((r?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();

export function startStreamPoller(options: StreamPollerOptions): Poller {
  const { streams, streamArn } = options;
  const batchSize = options.batchSize ?? 100;
  const pollInterval = options.pollIntervalMs ?? 250;
  const retryAttempts = options.retryAttempts ?? -1;
  const backoff = options.retryBackoff ?? { baseMs: 500, maxMs: 10_000 };
  const filter = options.filter ?? (() => true);
  const onError = options.onError ?? (() => {});
  const controller = new AbortController();
  const { signal } = controller;
  const shards = new Map<string, ShardState>();
  let describedAt = 0;

  async function describeShards(): Promise<void> {
    let start: string | undefined;
    do {
      const out = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
        { abortSignal: signal },
      );
      const found: Shard[] = out.StreamDescription?.Shards ?? [];
      for (const shard of found) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        shards.set(shard.ShardId, {
          id: shard.ShardId,
          parentId: shard.ParentShardId,
          closed: false,
          pending: [],
          batchLimit: batchSize,
          retries: 0,
          invokes: 0,
          retryAt: 0,
        });
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    describedAt = Date.now();
  }

  /** A child shard waits until its parent (if still known) has been read to the end and delivered. */
  const ready = (shard: ShardState) => {
    const parent = shard.parentId ? shards.get(shard.parentId) : undefined;
    return !parent || (parent.closed && parent.pending.length === 0);
  };

  async function openIterator(shard: ShardState): Promise<void> {
    const out = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.id,
        ...(shard.lastRead
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastRead }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
      { abortSignal: signal },
    );
    shard.iterator = out.ShardIterator;
    if (!shard.iterator) shard.closed = true;
  }

  /** Reads more of the shard; true when anything was read. */
  async function read(shard: ShardState): Promise<boolean> {
    if (shard.closed || shard.pending.length >= batchSize) return false;
    if (!shard.iterator) await openIterator(shard);
    if (!shard.iterator) return false;
    let out: GetRecordsCommandOutput;
    try {
      out = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: FETCH_LIMIT }), {
        abortSignal: signal,
      });
    } catch (err) {
      if (err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException) {
        shard.iterator = undefined; // re-opened after the last record read, next round
        return false;
      }
      throw err;
    }
    const records = out.Records ?? [];
    for (const raw of records) {
      const record = toLambdaRecord(raw, streamArn);
      shard.lastRead = sequenceOf(record) || shard.lastRead;
      if (filter(record)) shard.pending.push(record);
    }
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) shard.closed = true;
    return records.length > 0;
  }

  async function giveUp(
    shard: ShardState,
    batch: DynamoDBRecord[],
    condition: StreamBatchFailure['requestContext']['condition'],
  ) {
    const failure: StreamBatchFailure = {
      requestContext: {
        requestId: crypto.randomUUID(),
        functionArn: lambdaContext(options.functionName, 0, () => true).invokedFunctionArn,
        condition,
        approximateInvokeCount: shard.invokes,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: shard.id,
        startSequenceNumber: sequenceOf(batch[0]!),
        endSequenceNumber: sequenceOf(batch[batch.length - 1]!),
        approximateArrivalOfFirstRecord: arrivalOf(batch[0]),
        approximateArrivalOfLastRecord: arrivalOf(batch[batch.length - 1]),
        batchSize: batch.length,
        streamArn,
      },
    };
    try {
      await options.onFailure?.(failure);
    } catch (err) {
      onError(err, {
        source: options.functionName,
        detail: 'the on-failure destination refused a failed batch',
      });
    }
    shard.pending.splice(0, batch.length);
    shard.retries = 0;
    shard.invokes = 0;
    shard.batchLimit = batchSize;
  }

  /** Invokes the handler with the shard's next batch; true when it did. */
  async function deliver(shard: ShardState): Promise<boolean> {
    if (shard.pending.length === 0 || Date.now() < shard.retryAt) return false;
    const batch = shard.pending.slice(0, shard.batchLimit);
    shard.invokes++;
    let failedFrom: number; // index of the first record to retry; batch.length = all done
    let thrown = false;
    try {
      const response = await options.handler(
        { Records: batch },
        lambdaContext(options.functionName, options.timeoutMs, () => signal.aborted),
      );
      const failures = (response as Partial<DynamoDBBatchResponse> | undefined)?.batchItemFailures ?? [];
      if (!Array.isArray(failures) || failures.length === 0) failedFrom = batch.length;
      else {
        // The stream resumes at the lowest reported sequence number; one it cannot find fails the batch.
        const indexes = failures.map((f) => batch.findIndex((r) => sequenceOf(r) === f?.itemIdentifier));
        failedFrom = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
      }
    } catch (err) {
      thrown = true;
      failedFrom = 0;
      onError(err, {
        source: options.functionName,
        detail: `invocation failed; ${batch.length} record(s) will be retried`,
      });
    }
    options.onInvoked?.({ records: batch.length, failed: batch.length - failedFrom });
    shard.pending.splice(0, failedFrom);
    if (failedFrom === batch.length) {
      shard.retries = 0;
      shard.invokes = 0;
      shard.batchLimit = batchSize;
      return true;
    }
    if (signal.aborted) return true;
    const failed = batch.slice(failedFrom);
    if (thrown && options.bisectBatchOnError && failed.length > 1) {
      shard.batchLimit = Math.ceil(failed.length / 2); // bisecting does not use up a retry
      return true;
    }
    shard.retries++;
    const oldest = (failed[0]?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;
    if (options.maxRecordAgeMs !== undefined && Date.now() - oldest > options.maxRecordAgeMs)
      await giveUp(shard, failed, 'RecordAgeExceeded');
    else if (retryAttempts >= 0 && shard.retries > retryAttempts)
      await giveUp(shard, failed, 'RetryAttemptsExhausted');
    else shard.retryAt = Date.now() + Math.min(backoff.maxMs, backoff.baseMs * 2 ** (shard.retries - 1));
    return true;
  }

  const loop = (async () => {
    while (!signal.aborted) {
      let busy = false;
      try {
        const ended = [...shards.values()].some((s) => s.closed && s.pending.length === 0);
        if (shards.size === 0 || Date.now() - describedAt > (ended ? CHILD_LOOKUP_MS : SHARD_REFRESH_MS))
          await describeShards();
        for (const shard of shards.values()) {
          if (signal.aborted || !ready(shard)) continue;
          const wasRead = await read(shard);
          const delivered = await deliver(shard);
          busy ||= wasRead || delivered;
        }
        // Shards read to the end and delivered are kept only as long as a child may need them.
        for (const [id, shard] of shards) {
          const hasChild = [...shards.values()].some((s) => s.parentId === id);
          if (shard.closed && shard.pending.length === 0 && hasChild) shards.delete(id);
        }
      } catch (err) {
        if (signal.aborted) break;
        onError(err, { source: 'stream poller', detail: 'reading the stream' });
      }
      if (!busy) await pause(pollInterval, signal);
    }
  })();

  return {
    stop() {
      controller.abort();
      return loop;
    },
  };
}
