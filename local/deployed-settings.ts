/**
 * The settings of the deployed system that the local one copies, so `npm start` behaves as AWS
 * does: the queues and event sources of infra/ with its defaults (infra/config.ts, queues.ts,
 * functions.ts, workflow-execution-service.ts). Kept here as plain numbers because loading
 * aws-cdk-lib would cost `wfe` seconds; test/local/system/deployed-settings.test.ts checks them
 * against infra/.
 */
export const DEPLOYED = {
  requests: {
    /** Receives before the request queue moves a message to its DLQ (infra maxReceiveCount). */
    maxReceiveCount: 5,
    /** 6 × the execute timeout (30 s) + the batching window (none). */
    visibilityTimeoutSeconds: 180,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
  },
  /** Dead-letter queues keep messages 14 days. */
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  audit: {
    /** Records per forwarder invocation (the stream's batch size, also AUDIT_BATCH_SIZE). */
    batchSize: 100,
    retryAttempts: 10_000,
    maxRecordAgeSeconds: 6 * 3600,
    bisectBatchOnError: true,
  },
  events: {
    /** Receives before an events or timer message moves to the events DLQ. */
    maxReceiveCount: 5,
    /** 6 × the events timeout (30 s). */
    visibilityTimeoutSeconds: 180,
    batchSize: 10,
  },
  /** Shards swept at once: the sweep queue's event source maxConcurrency (infra/sweep.ts). */
  sweepConcurrency: 4,
  timeoutsMs: {
    execute: 30_000,
    reconcile: 60_000,
    auditForwarder: 60_000,
    events: 30_000,
    eventsSink: 10_000,
  },
} as const;
