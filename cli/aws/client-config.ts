/**
 * AWS SDK client settings from the command's environment, read the way the SDK reads the
 * process's own (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>, static keys), so a command run with a
 * given environment talks to what that environment names. Without keys, the default chain applies.
 */
type Env = Record<string, string | undefined>;

export type AwsService = 'CLOUDFORMATION' | 'DYNAMODB' | 'SQS' | 'STS' | 'SECRETSMANAGER';

export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
}

export function awsClientConfig(env: Env, service: AwsService): AwsClientConfig {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const endpoint = env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  // A person is waiting: one retry for a blip, not the SDK's three with backoff.
  return { region, endpoint, credentials, maxAttempts: 2 };
}
