/**
 * A DynamoDB Streams record (as the SDK returns it) in the shape Lambda delivers to a function:
 * binary values base64-encoded, the creation time in epoch seconds, the stream ARN attached.
 */
import type { _Record as SdkStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import { LOCAL_REGION } from './event-source.js';

type Image = Record<string, LambdaAttributeValue>;

const base64 = (bytes: unknown) => Buffer.from(bytes as Uint8Array).toString('base64');

function attribute(value: Record<string, unknown>): LambdaAttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (Array.isArray(value.BS)) return { BS: value.BS.map(base64) };
  if (Array.isArray(value.L)) return { L: value.L.map((v) => attribute(v as Record<string, unknown>)) };
  if (value.M && typeof value.M === 'object') return { M: image(value.M as Record<string, unknown>) ?? {} };
  // S, N, BOOL, NULL, SS and NS have the same shape in both.
  return value as LambdaAttributeValue;
}

function image(values: Record<string, unknown> | undefined): Image | undefined {
  if (!values) return undefined;
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => [name, attribute(v as Record<string, unknown>)]),
  );
}

export function toLambdaRecord(record: SdkStreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      Keys: image(stream.Keys),
      NewImage: image(stream.NewImage),
      OldImage: image(stream.OldImage),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
  };
}
