/**
 * One stream shard as the Lambda event source mapping drives it: batches from the checkpoint,
 * and with ReportBatchItemFailures the checkpoint moves to the lowest reported sequence number
 * (a thrown error, or an identifier not in the batch, retries the whole batch).
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export class StreamShard {
  checkpoint = 0;
  invocations = 0;
  constructor(readonly records: DynamoDBRecord[]) {}

  get drained(): boolean {
    return this.checkpoint >= this.records.length;
  }

  async invoke(handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>, batchSize: number) {
    const batch = this.records.slice(this.checkpoint, this.checkpoint + batchSize);
    this.invocations++;
    let response: DynamoDBBatchResponse;
    try {
      response = await handler({ Records: batch });
    } catch {
      return { batch: batch.length, advanced: 0 };
    }
    const failed = response.batchItemFailures.map((f) =>
      batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier),
    );
    const advanced = failed.length === 0 ? batch.length : failed.includes(-1) ? 0 : Math.min(...failed);
    this.checkpoint += advanced;
    return { batch: batch.length, advanced };
  }
}
