/**
 * A local SQS (local-aws-sqs, in process; it speaks the JSON protocol the SDK uses) with the
 * deployed system's three queues: the request queue with its DLQ (redrive after maxReceiveCount
 * receives) and the audit DLQ, created with the settings infra/ gives them.
 */
import type { Server } from 'node:http';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { DEPLOYED } from '../deployed-settings.js';
import { freePort } from '../free-port.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.js';

export interface QueueSettings {
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

export interface LocalQueue {
  url: string;
  arn: string;
}

export interface LocalSqs {
  endpoint: string;
  requests: LocalQueue;
  requestsDlq: LocalQueue;
  auditDlq: LocalQueue;
  /** Tekton's events, from the sink (WE-13). */
  events: LocalQueue;
  /** Lock timers and re-checks (WE-13). */
  timers: LocalQueue;
  eventsDlq: LocalQueue;
  close(): Promise<void>;
}

export const QUEUE_NAMES = {
  requests: 'wfe-requests',
  requestsDlq: 'wfe-requests-dlq',
  auditDlq: 'wfe-audit-dlq',
  events: 'wfe-events',
  timers: 'wfe-timers',
  eventsDlq: 'wfe-events-dlq',
};

export async function startLocalSqs(
  options: { port?: number; settings?: Partial<QueueSettings> } = {},
): Promise<LocalSqs> {
  const settings = { ...DEPLOYED.requests, ...options.settings };
  const port = options.port ?? (await freePort());
  let server: Server;
  try {
    // AWS makes a deleted queue's name unusable for 60 s; a fresh local server has nothing to wait for.
    server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  } catch (err) {
    throw new Error(`local SQS could not listen on 127.0.0.1:${port}`, { cause: err });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const sqs = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Long polls in flight would otherwise hold the server open for up to 20 s.
      server.closeAllConnections();
    });

  async function create(name: string, attributes: Record<string, string>): Promise<LocalQueue> {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const url = out.QueueUrl ?? '';
    const described = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return { url, arn: described.Attributes?.QueueArn ?? '' };
  }

  try {
    const retention = String(DEPLOYED.deadLetterRetentionSeconds);
    const requestsDlq = await create(QUEUE_NAMES.requestsDlq, { MessageRetentionPeriod: retention });
    const requests = await create(QUEUE_NAMES.requests, {
      VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: requestsDlq.arn,
        maxReceiveCount: settings.maxReceiveCount,
      }),
    });
    const auditDlq = await create(QUEUE_NAMES.auditDlq, { MessageRetentionPeriod: retention });
    const eventsDlq = await create(QUEUE_NAMES.eventsDlq, { MessageRetentionPeriod: retention });
    const eventsQueue = (name: string) =>
      create(name, {
        VisibilityTimeout: String(DEPLOYED.events.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: eventsDlq.arn,
          maxReceiveCount: DEPLOYED.events.maxReceiveCount,
        }),
      });
    const events = await eventsQueue(QUEUE_NAMES.events);
    const timers = await eventsQueue(QUEUE_NAMES.timers);
    return { endpoint, requests, requestsDlq, auditDlq, events, timers, eventsDlq, close };
  } catch (err) {
    await close();
    throw new Error('local SQS: creating the queues failed', { cause: err });
  } finally {
    sqs.destroy();
  }
}
