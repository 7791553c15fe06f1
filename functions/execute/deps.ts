/** The execute function's dependencies, from its environment (throws naming a bad variable). */
import { SQSClient } from '@aws-sdk/client-sqs';
import { documentClient, executionTable } from '../adapters/dynamodb/execution-table.js';
import { clusterSet } from '../adapters/kubernetes/cluster-set.js';
import { sqsDelayQueue } from '../adapters/sqs/delay-queue.js';
import { sqsRequestQueue } from '../adapters/sqs/request-queue.js';
import { sleep, systemClock } from '../adapters/system-clock.js';
import type { ExecuteDeps } from '../core/execute.js';
import { executeConfig } from '../platform/config.js';
import { given, type Observability, type Overrides, observabilityOf } from '../platform/wiring.js';

export type ExecuteHandlerDeps = Omit<ExecuteDeps, 'metrics' | 'log'> & Observability;
export type ExecuteOverrides = Overrides & Partial<Pick<ExecuteDeps, 'store' | 'clusters' | 'queue'>>;

export async function depsFromEnv(
  env: Record<string, string | undefined>,
  overrides: ExecuteOverrides = {},
): Promise<ExecuteHandlerDeps> {
  const config = executeConfig(env);
  const { clients = {} } = overrides;
  const clock = overrides.clock ?? systemClock;
  return {
    store:
      overrides.store ??
      executionTable(config.tableName, clock, clients.dynamodb && documentClient(clients.dynamodb)),
    clusters: overrides.clusters ?? clusterSet(config.clusters),
    queue:
      overrides.queue ??
      sqsRequestQueue(clients.sqs ?? new SQSClient({}), { queueUrl: config.queueUrl, dlqUrl: config.dlqUrl }),
    clock,
    sleep: given(overrides, 'sleep', () => sleep),
    settings: config.execution,
    ...(config.timerQueueUrl
      ? { timers: sqsDelayQueue(clients.sqs ?? new SQSClient({}), config.timerQueueUrl) }
      : {}),
    ...observabilityOf('execute', overrides),
  };
}
