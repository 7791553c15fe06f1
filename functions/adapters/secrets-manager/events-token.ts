/**
 * The events sink's token, read from Secrets Manager (EVENTS_TOKEN_SECRET_ARN) and kept for a few
 * minutes, so a burst of events costs one read and a rotated token is picked up soon after. The
 * secret holds the token itself; the value never reaches a log or an error message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../core/ports.js';

const KEEP_MS = 5 * 60_000;

export function cachedEventsToken(
  secretArn: string,
  clock: Clock,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): () => Promise<string> {
  let cached: { token: string; until: number } | undefined;
  return async () => {
    const now = clock.now().getTime();
    if (cached && now < cached.until) return cached.token;
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const token = (out.SecretString ?? '').trim();
    if (!token) throw new Error(`secret ${secretArn} holds no events token`);
    cached = { token, until: now + KEEP_MS };
    return token;
  };
}
