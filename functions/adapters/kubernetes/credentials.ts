/**
 * The KubeConfig for the configured cluster access (SPEC §4):
 *   - local: a KUBECONFIG file;
 *   - kubeconfig: kubeconfig YAML kept in Secrets Manager;
 *   - eks: endpoint and CA from EKS DescribeCluster, authenticated with an IAM token (a presigned
 *     STS GetCallerIdentity URL, as aws-iam-authenticator reads it) that is minted again well
 *     before the 15 minutes STS accepts it for, so a warm Lambda never sends a stale one.
 * The AWS calls sit behind small functions so tests can replace them.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ClusterUnavailableError, ConfigError } from '../../core/errors.js';

/** How the functions reach the cluster (SPEC §4); configuration reads it from the environment. */
export type ClusterAccess =
  | { mode: 'eks'; clusterName: string }
  | { mode: 'kubeconfig'; secretArn: string }
  | { mode: 'local'; kubeconfigPath: string };

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];
type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

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

const EKS_AUTH_PROVIDER = 'wfe-eks-iam-token';
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

/** Puts a fresh-enough EKS token on every request the KubeConfig makes. */
class EksTokenAuthenticator implements Authenticator {
  private current: { token: Promise<string>; mintedAt: number } | undefined;

  constructor(
    private readonly mint: () => Promise<string>,
    private readonly now: () => Date,
  ) {}

  isAuthProvider(user: User): boolean {
    return user.authProvider?.name === EKS_AUTH_PROVIDER;
  }

  async applyAuthentication(
    _user: User,
    opts: Parameters<Authenticator['applyAuthentication']>[1],
  ): Promise<void> {
    const now = this.now().getTime();
    if (!this.current || now - this.current.mintedAt >= TOKEN_REFRESH_MS) {
      const token = this.mint();
      this.current = { token, mintedAt: now };
      // A failed mint must not be cached: the next request tries again.
      token.catch(() => {
        if (this.current?.token === token) this.current = undefined;
      });
    }
    const token = await this.current.token;
    opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${token}` };
  }
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

/**
 * The YAML parser's reason and position. Never its message, which quotes the lines around the
 * error, tokens included; a reason that quotes the document (a tag, a key) is left out too.
 */
function yamlProblem(err: unknown): string {
  const { reason, mark } = err as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  const what = typeof reason === 'string' && /^[A-Za-z ,()-]+$/.test(reason) ? reason : 'a YAML syntax error';
  return typeof mark?.line === 'number' && typeof mark.column === 'number'
    ? `${what} at line ${mark.line + 1}, column ${mark.column + 1}`
    : 'not a kubeconfig document';
}

function loadYaml(yaml: string, where: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(yaml);
  } catch (err) {
    throw new ConfigError(`${where} is not a valid kubeconfig: ${yamlProblem(err)}`);
  }
  if (!kc.getCurrentCluster()) throw new ConfigError(`${where} has no current context with a cluster`);
  const user = kc.getCurrentUser();
  if (!user) throw new ConfigError(`${where} has no user for its current context`);
  // A command's output and errors would carry its credentials into the logs, and Lambda has no such command.
  if (user.exec || user.authProvider)
    throw new ConfigError(
      `${where}: the current user authenticates with exec or an auth provider; give a token or a client certificate`,
    );
  return kc;
}

async function eksKubeConfig(clusterName: string, sources: CredentialSources): Promise<KubeConfig> {
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
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: clusterName, server: info.endpoint, caData: info.caData, skipTLSVerify: false }],
    users: [{ name: 'wfe', authProvider: { name: EKS_AUTH_PROVIDER, config: {} } }],
    contexts: [{ name: clusterName, cluster: clusterName, user: 'wfe' }],
    currentContext: clusterName,
  });
  kc.addAuthenticator(
    new EksTokenAuthenticator(
      () => eksToken({ clusterName, region: info.region, credentials, signingDate: now() }),
      now,
    ),
  );
  return kc;
}

/** Builds the KubeConfig for the configured access; throws ConfigError for bad local configuration. */
export async function kubeConfigFor(
  access: ClusterAccess,
  sources: CredentialSources = {},
): Promise<KubeConfig> {
  switch (access.mode) {
    case 'local': {
      const kc = new KubeConfig();
      try {
        kc.loadFromFile(access.kubeconfigPath);
      } catch (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        throw new ConfigError(
          `KUBECONFIG ${access.kubeconfigPath} cannot be loaded: ${missing ? 'no such file' : yamlProblem(err)}`,
        );
      }
      if (!kc.getCurrentCluster())
        throw new ConfigError(`KUBECONFIG ${access.kubeconfigPath} has no current context with a cluster`);
      return kc;
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
      return loadYaml(yaml, 'the secret named by KUBECONFIG_SECRET_ARN');
    }
    case 'eks':
      return eksKubeConfig(access.clusterName, sources);
  }
}
