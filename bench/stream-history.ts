/**
 * Every version of every item a table was written with, in order, read back from its stream
 * (NEW_IMAGE) on DynamoDB Local: what was actually written, whichever request wrote it.
 */

import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item } from '../functions/adapters/dynamodb/items.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/aws/dynamodb-local.js';
import { toLambdaRecord } from '../local/aws/stream-record.js';

type Image = Parameters<typeof unmarshall>[0];

/** Each item's versions by its table key, oldest first; undefined where it was deleted. */
export async function itemHistories(
  client: DynamoDBClient,
  endpoint: string,
  tableName: string,
): Promise<(Item | undefined)[][]> {
  const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const histories = new Map<string, (Item | undefined)[]>();
  try {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    // Parents before children, so an item's versions stay in order across a shard split.
    for (const shard of StreamDescription?.Shards ?? []) {
      let iterator = (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      while (iterator) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const sdkRecord of out.Records ?? []) {
          const record = toLambdaRecord(sdkRecord, streamArn).dynamodb;
          const keys = unmarshall(withEmptyMaps(record?.Keys ?? {}));
          const id = `${keys.pk}\n${keys.sk}`;
          const image = record?.NewImage;
          const version =
            sdkRecord.eventName === 'REMOVE' || !image ? undefined : unmarshall(withEmptyMaps(image));
          histories.set(id, [...(histories.get(id) ?? []), version]);
        }
        // An open shard hands back an iterator forever; an empty read means it is drained.
        if ((out.Records ?? []).length === 0) break;
        iterator = out.NextShardIterator;
      }
    }
  } finally {
    streams.destroy();
  }
  return [...histories.values()];
}

/**
 * The Streams client hands an empty map back as `{}` instead of `{ M: {} }` (DynamoDB Local's
 * stream, seen on an execution's empty `conditions`), which unmarshall cannot read.
 */
function withEmptyMaps(image: Record<string, unknown>): Image {
  const value = (v: unknown): unknown => {
    const a = v as { M?: Record<string, unknown>; L?: unknown[] };
    if (Object.keys(a).length === 0) return { M: {} };
    if (a.M) return { M: withEmptyMaps(a.M) };
    if (a.L) return { L: a.L.map(value) };
    return a;
  };
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, value(v)])) as Image;
}
