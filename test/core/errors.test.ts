import { describe, expect, it } from 'vitest';
import {
  ClusterRejectedError,
  ClusterUnavailableError,
  ConfigError,
  DataStorageUnavailableError,
} from '../../functions/core/errors.js';

describe('the errors callers act on', () => {
  it.each([
    ['ClusterUnavailableError', new ClusterUnavailableError('connect ECONNREFUSED', 503)],
    ['ClusterRejectedError', new ClusterRejectedError('forbidden', 403, 'Forbidden')],
    ['ConfigError', new ConfigError('WFE_CLUSTER_NAME is required')],
    ['DataStorageUnavailableError', new DataStorageUnavailableError('503 from DataStorage', 503)],
  ])('%s carries its own name, so logs and retries can tell it apart', (name, err) => {
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(String(err)).toBe(`${name}: ${err.message}`);
  });

  it('a cluster rejection keeps the HTTP code and reason the failure is classified from', () => {
    const err = new ClusterRejectedError('exceeded quota: compute-resources', 403, 'Forbidden');
    expect({ code: err.code, reason: err.reason }).toEqual({ code: 403, reason: 'Forbidden' });
  });

  it('an unavailable DataStorage keeps its status and the Retry-After wait', () => {
    const err = new DataStorageUnavailableError('throttled', 429, 2_000);
    expect({ status: err.status, retryAfterMs: err.retryAfterMs }).toEqual({
      status: 429,
      retryAfterMs: 2_000,
    });
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('socket hang up');
    expect(new ClusterUnavailableError('timed out', undefined, { cause }).cause).toBe(cause);
    expect(new DataStorageUnavailableError('down', undefined, undefined, { cause }).cause).toBe(cause);
  });
});
