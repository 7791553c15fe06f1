/**
 * The DataStorage bearer token, read from Secrets Manager (DATASTORAGE_TOKEN_SECRET_ARN). The
 * secret holds the token itself or a JSON object with a `token` field. The value never reaches a
 * log or an error message.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export function secretsManagerToken(
  secretArn: string,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): () => Promise<string> {
  return async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : '');
    const token = fromSecret(text.trim());
    if (!token) throw new Error(`secret ${secretArn} holds no DataStorage token`);
    return token;
  };
}

function fromSecret(text: string): string {
  if (!text.startsWith('{')) return text;
  try {
    const value = (JSON.parse(text) as { token?: unknown }).token;
    return typeof value === 'string' ? value.trim() : '';
  } catch {
    return text;
  }
}
