import { describe, expect, it } from 'vitest';
import { parseInfraConfig } from '../../../infra/config.js';
import { EXECUTE_TIMEOUT } from '../../../infra/functions.js';
import { SWEEP_CONCURRENCY } from '../../../infra/sweep.js';
import { DEPLOYED } from '../../../local/deployed-settings.js';

describe('deployed settings the local system copies', () => {
  it('match the CDK app with its defaults', () => {
    const config = parseInfraConfig({});
    expect(DEPLOYED.requests.maxReceiveCount).toBe(config.requests.maxReceiveCount);
    expect(DEPLOYED.requests.batchSize).toBe(config.requests.batchSize);
    expect(DEPLOYED.requests.maxBatchingWindowSeconds).toBe(config.requests.maxBatchingWindowSeconds);
    expect(DEPLOYED.requests.visibilityTimeoutSeconds).toBe(
      6 * EXECUTE_TIMEOUT.toSeconds() + config.requests.maxBatchingWindowSeconds,
    );
    expect(DEPLOYED.timeoutsMs.execute).toBe(EXECUTE_TIMEOUT.toMilliseconds());
    expect(DEPLOYED.audit.batchSize).toBe(config.audit.batchSize);
    expect(DEPLOYED.audit.retryAttempts).toBe(config.audit.retryAttempts);
    expect(DEPLOYED.audit.maxRecordAgeSeconds).toBe(config.audit.maxRecordAgeSeconds);
    expect(DEPLOYED.sweepConcurrency).toBe(SWEEP_CONCURRENCY);
  });
});
