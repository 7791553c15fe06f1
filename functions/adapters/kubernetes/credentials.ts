/**
 * The connection for the configured cluster access (SPEC §4):
 *   - local: a KUBECONFIG file;
 *   - kubeconfig: kubeconfig YAML kept in Secrets Manager;
 *   - eks: endpoint and CA from EKS DescribeCluster, authenticated with an IAM token (a presigned
 *     STS GetCallerIdentity URL, as aws-iam-authenticator reads it) that is minted again well
 *     before the 15 minutes STS accepts it for, so a warm Lambda never sends a stale one.
 * The AWS calls sit behind small functions so tests can replace them.
 */

import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ClusterUnavailableError, ConfigError } from '../../core/errors.js';
import type { ClusterConnection } from './connection.js';
import { readKubeconfig } from './kubeconfig.js';

/** How the functions reach the cluster (SPEC §4); configuration reads it from the environment. */
export type ClusterAccess =
  | { mode: 'eks'; clusterName: string }
  | { mode: 'kubeconfig'; secretArn: string }
  | { mode: 'local'; kubeconfigPath: string };

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export interface EksClusterInfo {
  endpoint: string;
  /** The cluster CA certificate, base64 PEM as in a kubeconfig. */
  caData: string;
  /** The region the cluster (and so the STS endpoint the token names) is in. */
  region: string;
}

export interface CredentialSources {
  /** A secret's string value (default: Secrets Manager GetSecretValue). */
  readSecret?: (arn: string) => Promise<string>;
  /** Endpoint, CA and region of an EKS cluster (default: EKS DescribeCluster). */
  describeCluster?: (name: string) => Promise<EksClusterInfo>;
  /** Credentials that sign the EKS token (default: the AWS SDK's default provider chain). */
  credentials?: Credentials;
  now?: () => Date;
}

const TOKEN_PREFIX = 'k8s-aws-v1.';
/** STS honours the presigned URL for 15 minutes; aws-iam-authenticator treats it as good for 14. */
const TOKEN_REFRESH_MS = 10 * 60_000;

/** aws-iam-authenticator's token: "k8s-aws-v1." + base64url (unpadded) of a presigned STS GetCallerIdentity URL. */
export async function eksToken(input: {
  clusterName: string;
  region: string;
  credentials: Credentials;
  signingDate?: Date;
}): Promise<string> {
  const hostname = `sts.${input.region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: input.credentials,
    region: input.region,
    service: 'sts',
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      // The cluster name is a signed header, so a token minted for one cluster is refused by another.
      headers: { host: hostname, 'x-k8s-aws-id': input.clusterName },
    }),
    { expiresIn: 60, ...(input.signingDate ? { signingDate: input.signingDate } : {}) },
  );
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v ?? '']).map((one) => `${encodeURIComponent(k)}=${encodeURIComponent(one)}`),
    )
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/**
 * A token minted on first use and again once it is TOKEN_REFRESH_MS old; requests in between share
 * it. A failed mint is not kept: the next request mints again.
 */
function refreshing(mint: () => Promise<string>, now: () => Date): () => Promise<string> {
  let current: { token: Promise<string>; mintedAt: number } | undefined;
  return () => {
    const at = now().getTime();
    if (!current || at - current.mintedAt >= TOKEN_REFRESH_MS) {
      const token = mint();
      current = { token, mintedAt: at };
      token.catch(() => {
        if (current?.token === token) current = undefined;
      });
    }
    return current.token;
  };
}

async function describeEksCluster(name: string): Promise<EksClusterInfo> {
  const eks = new EKSClient({});
  const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
  if (!cluster?.endpoint || !cluster.certificateAuthority?.data)
    throw new Error(
      `EKS cluster ${name} has no endpoint or certificate authority yet (status ${cluster?.status})`,
    );
  return {
    endpoint: cluster.endpoint,
    caData: cluster.certificateAuthority.data,
    region: await eks.config.region(),
  };
}

async function readSecretString(arn: string): Promise<string> {
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (out.SecretString) return out.SecretString;
  if (out.SecretBinary) return Buffer.from(out.SecretBinary).toString('utf8');
  throw new Error(`secret ${arn} has no value`);
}

async function eksConnection(clusterName: string, sources: CredentialSources): Promise<ClusterConnection> {
  let info: EksClusterInfo;
  try {
    info = await (sources.describeCluster ?? describeEksCluster)(clusterName);
  } catch (err) {
    throw new ClusterUnavailableError(
      `could not describe EKS cluster ${clusterName}: ${(err as Error).message}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  const now = sources.now ?? (() => new Date());
  const credentials = sources.credentials ?? defaultProvider();
  return {
    server: info.endpoint,
    ca: Buffer.from(info.caData, 'base64'),
    insecureSkipTlsVerify: false,
    token: refreshing(
      () => eksToken({ clusterName, region: info.region, credentials, signingDate: now() }),
      now,
    ),
  };
}

/** The connection for the configured access; throws ConfigError for bad local configuration. */
export async function connectionFor(
  access: ClusterAccess,
  sources: CredentialSources = {},
): Promise<ClusterConnection> {
  switch (access.mode) {
    case 'local': {
      const where = `KUBECONFIG ${access.kubeconfigPath}`;
      let text: string;
      try {
        text = await readFile(access.kubeconfigPath, 'utf8');
      } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        throw new ConfigError(
          `${where} cannot be loaded: ${missing ? 'no such file' : (err as NodeJS.ErrnoException).code}`,
        );
      }
      // The operator's own kubeconfig (npm start, wfe): its exec plugin (aws eks get-token…) is theirs to run.
      return readKubeconfig(text, where, dirname(access.kubeconfigPath), { runExecPlugins: true });
    }
    case 'kubeconfig': {
      let yaml: string;
      try {
        yaml = await (sources.readSecret ?? readSecretString)(access.secretArn);
      } catch (err) {
        throw new ClusterUnavailableError(
          `could not read the kubeconfig secret (KUBECONFIG_SECRET_ARN): ${(err as Error).message}`,
          undefined,
          { cause: err },
        );
      }
      // Relative paths in a secret's kubeconfig can only mean the function's working folder.
      return readKubeconfig(yaml, 'the secret named by KUBECONFIG_SECRET_ARN', process.cwd());
    }
    case 'eks':
      return eksConnection(access.clusterName, sources);
  }
}
