/**
 * What the local event sources share: the account and region they stamp on events, the handler
 * shape they invoke, and how they report a failed invocation.
 */
import type { Context } from 'aws-lambda';

export { LOCAL_REGION } from './dynamodb-local.js';
/** local-aws-sqs's account id, so queue ARNs and event ARNs agree. */
export const LOCAL_ACCOUNT = '123456789012';

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** Called when an invocation throws or a poll fails; the poller carries on. */
export type PollerErrorListener = (error: unknown, about: { source: string; detail?: string }) => void;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
