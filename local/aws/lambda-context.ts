/**
 * The Lambda `Context` a locally invoked handler gets: its name, a request id, and the time left
 * before the function's timeout. Once the local system is stopping, no time is left, so handlers
 * that budget their work (reconcile, the forwarder's retries) wind down at once.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './event-source.js';

export function lambdaContext(functionName: string, timeoutMs: number, stopping: () => boolean): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('the callback-style Context methods are not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => (stopping() ? 0 : Math.max(0, deadline - Date.now())),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
