/** The audit forwarder's dependencies, from its environment (throws naming a bad variable). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { dataStorageAuditClient } from '../adapters/datastorage/audit-client.js';
import { secretsManagerToken } from '../adapters/datastorage/bearer-token.js';
import { sqsAuditDeadLetters } from '../adapters/sqs/audit-dead-letters.js';
import { sleep, systemClock } from '../adapters/system-clock.js';
import type { ForwardAuditDeps } from '../core/forward-audit.js';
import { forwarderConfig } from '../platform/config.js';
import { type Observability, type Overrides, observabilityOf } from '../platform/wiring.js';

export type AuditForwarderDeps = Omit<ForwardAuditDeps, 'metrics' | 'remainingMs'> & Observability;
export type AuditForwarderOverrides = Overrides &
  Partial<Pick<ForwardAuditDeps, 'sink' | 'deadLetters' | 'random'>>;

export function depsFromEnv(
  env: Record<string, string | undefined>,
  overrides: AuditForwarderOverrides = {},
): AuditForwarderDeps {
  const config = forwarderConfig(env);
  return {
    sink:
      overrides.sink ??
      dataStorageAuditClient({
        url: config.dataStorageUrl,
        timeoutMs: config.requestTimeoutMs,
        token: config.tokenSecretArn ? secretsManagerToken(config.tokenSecretArn) : undefined,
      }),
    deadLetters:
      overrides.deadLetters ??
      sqsAuditDeadLetters(overrides.clients?.sqs ?? new SQSClient({}), config.auditDlqUrl),
    clock: overrides.clock ?? systemClock,
    sleep: overrides.sleep ?? sleep,
    random: overrides.random,
    settings: {
      batchSize: config.batchSize,
      requestTimeoutMs: config.requestTimeoutMs,
      giveUpAfterMs: config.giveUpAfterMs,
    },
    ...observabilityOf('audit-forwarder', overrides),
  };
}
