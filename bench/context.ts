import type { Scale } from './scale.js';

/** What every measurement gets: the shared DynamoDB Local, the scale, and a progress line. */
export interface BenchContext {
  dynamodbEndpoint: string;
  scale: Scale;
  progress(message: string): void;
}
