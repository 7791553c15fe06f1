import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../functions/adapters/kubernetes/cluster.js';
import { connectionFor, eksToken } from '../../functions/adapters/kubernetes/credentials.js';
import { ClusterUnavailableError, ConfigError } from '../../functions/core/errors.js';
import { type KubeApi, startKubeApi } from '../../local/kube-api/index.js';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session+token/with=chars',
};
const SIGNED_AT = new Date('2026-04-01T08:00:00Z');

function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const encoded = token.slice('k8s-aws-v1.'.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

describe('eksToken', () => {
  it('is k8s-aws-v1. + unpadded base64url of a presigned STS GetCallerIdentity URL for the cluster', async () => {
    const token = await eksToken({
      clusterName: 'kubernaut-prod',
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      signingDate: SIGNED_AT,
    });
    const url = decode(token);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260401/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20260401T080000Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Security-Token')).toBe(CREDENTIALS.sessionToken);
    expect(q.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(token.length).toBeLessThan(4096);
  });

  it('is the same for the same inputs and differs per cluster', async () => {
    const mint = (clusterName: string) =>
      eksToken({ clusterName, region: 'eu-west-1', credentials: CREDENTIALS, signingDate: SIGNED_AT });
    expect(await mint('a')).toBe(await mint('a'));
    expect(decode(await mint('a')).searchParams.get('X-Amz-Signature')).not.toBe(
      decode(await mint('b')).searchParams.get('X-Amz-Signature'),
    );
  });
});

describe('connectionFor eks', () => {
  it('points at the DescribeCluster endpoint and CA, and mints a new token only after 10 minutes', async () => {
    let now = SIGNED_AT.getTime();
    const connection = await connectionFor(
      { mode: 'eks', clusterName: 'kubernaut-prod' },
      {
        describeCluster: async (name) => {
          expect(name).toBe('kubernaut-prod');
          return {
            endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
            caData: 'Q0EtREFUQQ==',
            region: 'eu-west-1',
          };
        },
        credentials: CREDENTIALS,
        now: () => new Date(now),
      },
    );
    expect(connection).toMatchObject({
      server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      ca: Buffer.from('CA-DATA'),
      insecureSkipTlsVerify: false,
    });
    const authorization = async () => `Bearer ${await connection.token?.()}`;
    const first = await authorization();
    expect(first.startsWith('Bearer k8s-aws-v1.')).toBe(true);
    expect(decode(first.slice('Bearer '.length)).searchParams.get('X-Amz-Date')).toBe('20260401T080000Z');
    now += 9 * 60_000;
    expect(await authorization()).toBe(first);
    now += 2 * 60_000;
    const second = await authorization();
    expect(second).not.toBe(first);
    expect(decode(second.slice('Bearer '.length)).searchParams.get('X-Amz-Date')).toBe('20260401T081100Z');
  });

  it('reports a cluster it cannot describe as unavailable, with the cause', async () => {
    const failure = new Error('AccessDeniedException');
    await expect(
      connectionFor(
        { mode: 'eks', clusterName: 'kubernaut-prod' },
        {
          describeCluster: async () => {
            throw failure;
          },
        },
      ),
    ).rejects.toMatchObject({ name: 'ClusterUnavailableError', cause: failure });
  });
});

describe('connectionFor kubeconfig (Secrets Manager)', () => {
  let kubeApi: KubeApi;
  beforeAll(async () => {
    kubeApi = await startKubeApi();
  });
  afterAll(() => kubeApi.close());

  it('loads the kubeconfig YAML read from the secret and talks to that cluster', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wfe-kubeconfig';
    const cluster = await connectCluster(
      { mode: 'kubeconfig', secretArn: arn },
      {
        sources: {
          readSecret: async (asked) => {
            expect(asked).toBe(arn);
            return kubeApi.kubeconfig();
          },
        },
      },
    );
    expect(await cluster.getPipelineRun('kubernaut-workflows', 'wfe-none')).toBeUndefined();
  });

  it('refuses a secret that is not a kubeconfig, naming the variable', async () => {
    await expect(
      connectionFor(
        { mode: 'kubeconfig', secretArn: 'arn:x' },
        { readSecret: async () => 'not: [a kubeconfig' },
      ),
    ).rejects.toThrow(ConfigError);
    await expect(
      connectionFor(
        { mode: 'kubeconfig', secretArn: 'arn:x' },
        { readSecret: async () => 'apiVersion: v1\nkind: Config\n' },
      ),
    ).rejects.toThrow(/KUBECONFIG_SECRET_ARN/);
  });

  it('reports a secret it cannot read as unavailable', async () => {
    await expect(
      connectionFor(
        { mode: 'kubeconfig', secretArn: 'arn:x' },
        {
          readSecret: async () => {
            throw new Error('ThrottlingException');
          },
        },
      ),
    ).rejects.toThrow(ClusterUnavailableError);
  });
});

describe('connectionFor local', () => {
  it('names the file it cannot load', async () => {
    await expect(connectionFor({ mode: 'local', kubeconfigPath: '/nonexistent/kubeconfig' })).rejects.toThrow(
      /KUBECONFIG \/nonexistent\/kubeconfig cannot be loaded/,
    );
  });
});
