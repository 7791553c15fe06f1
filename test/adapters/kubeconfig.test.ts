/**
 * The cluster adapter's kubeconfig reader and TLS, end to end: each kubeconfig variant is read into a
 * connection that a KubernetesCluster uses against an HTTPS API server with a test CA
 * (test/fixtures/tls), which answers a PipelineRun read only for the credentials it expects.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubernetesCluster } from '../../functions/adapters/kubernetes/cluster.js';
import { readKubeconfig } from '../../functions/adapters/kubernetes/kubeconfig.js';
import { ClusterUnavailableError, ConfigError } from '../../functions/core/errors.js';

const TLS = new URL('../fixtures/tls/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, TLS));
const b64 = (name: string) => pem(name).toString('base64');
const NS = 'kubernaut-workflows';
const TOKEN = 'wfe-test-token';

const pipelineRun = { metadata: { name: 'wfe-run', namespace: NS, uid: 'uid-1' } };

/** An HTTPS API server that answers GET of a PipelineRun when the bearer token or client certificate is right. */
async function apiServer(options: {
  requestCert: boolean;
}): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer(
    {
      key: pem('server-key.pem'),
      cert: pem('server.pem'),
      ca: pem('ca.pem'),
      requestCert: options.requestCert,
      rejectUnauthorized: false,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const byCert = (req.socket as TLSSocket).authorized && peer.subject?.CN === 'wfe';
      const byToken = req.headers.authorization === `Bearer ${TOKEN}`;
      seen.push(byCert ? 'certificate' : byToken ? 'token' : 'anonymous');
      res.setHeader('Content-Type', 'application/json');
      if (!byCert && !byToken) {
        res.statusCode = 401;
        res.end(
          JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }),
        );
        return;
      }
      res.end(JSON.stringify(pipelineRun));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown> | undefined): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }],
    users: user ? [{ name: 'u', user }] : [],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
}

let tokenServer: Awaited<ReturnType<typeof apiServer>>;
let certServer: Awaited<ReturnType<typeof apiServer>>;
let dir: string;

beforeAll(async () => {
  tokenServer = await apiServer({ requestCert: false });
  certServer = await apiServer({ requestCert: true });
  dir = mkdtempSync(join(tmpdir(), 'wfe-kubeconfig-'));
  for (const name of ['ca.pem', 'other-ca.pem', 'client.pem', 'client-key.pem'])
    writeFileSync(join(dir, name), pem(name));
});
afterAll(() => {
  tokenServer.server.close();
  certServer.server.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = (yaml: string) => readKubeconfig(yaml, 'KUBECONFIG test', dir);
const getRun = async (yaml: string) =>
  new KubernetesCluster(await read(yaml), { requestTimeoutMs: 5000 }).getPipelineRun(NS, 'wfe-run');

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('credentials', () => {
  it('a token', async () => {
    const run = await getRun(
      kubeconfig({ server: tokenServer.url, 'certificate-authority-data': b64('ca.pem') }, { token: TOKEN }),
    );
    expect(run?.uid).toBe('uid-1');
    expect(tokenServer.seen.at(-1)).toBe('token');
  });

  it('a token file, relative to the kubeconfig, read again at each request (a rotated token)', async () => {
    writeFileSync(join(dir, 'token'), 'stale-token\n');
    const cluster = new KubernetesCluster(
      await read(
        kubeconfig(
          { server: tokenServer.url, 'certificate-authority-data': b64('ca.pem') },
          { tokenFile: 'token' },
        ),
      ),
    );
    expect(await rejection(cluster.getPipelineRun(NS, 'wfe-run'))).toMatchObject({ code: 401 });
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    expect((await cluster.getPipelineRun(NS, 'wfe-run'))?.uid).toBe('uid-1');
  });

  it('a client certificate and key as data', async () => {
    const run = await getRun(
      kubeconfig(
        { server: certServer.url, 'certificate-authority-data': b64('ca.pem') },
        { 'client-certificate-data': b64('client.pem'), 'client-key-data': b64('client-key.pem') },
      ),
    );
    expect(run?.uid).toBe('uid-1');
    expect(certServer.seen.at(-1)).toBe('certificate');
  });

  it('a client certificate and key as files', async () => {
    const run = await getRun(
      kubeconfig(
        { server: certServer.url, 'certificate-authority': 'ca.pem' },
        { 'client-certificate': 'client.pem', 'client-key': join(dir, 'client-key.pem') },
      ),
    );
    expect(run?.uid).toBe('uid-1');
    expect(certServer.seen.at(-1)).toBe('certificate');
  });

  it('no credentials: the server refuses, a transient 401 as before', async () => {
    const err = await rejection(
      getRun(kubeconfig({ server: tokenServer.url, 'certificate-authority-data': b64('ca.pem') }, {})),
    );
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect(err).toMatchObject({ code: 401 });
  });
});

describe('TLS verification', () => {
  it('trusts the CA given as a file as it does as data', async () => {
    const run = await getRun(
      kubeconfig({ server: tokenServer.url, 'certificate-authority': 'ca.pem' }, { token: TOKEN }),
    );
    expect(run?.uid).toBe('uid-1');
  });

  it.each([
    ['a CA that did not sign it', { 'certificate-authority-data': b64('other-ca.pem') }],
    ['only the system CAs', {}],
    [
      'a TLS server name it does not carry',
      { 'certificate-authority-data': b64('ca.pem'), 'tls-server-name': 'elsewhere.test' },
    ],
  ])('refuses the server certificate when checked against %s', async (_, cluster) => {
    const answered = tokenServer.seen.length;
    const err = await rejection(
      getRun(kubeconfig({ server: tokenServer.url, ...cluster }, { token: TOKEN })),
    );
    expect(err).toBeInstanceOf(ClusterUnavailableError);
    expect((err as Error).message).toMatch(/certificate|altnames/i);
    // The token was never sent: the request did not get past the handshake.
    expect(tokenServer.seen).toHaveLength(answered);
  });

  it('checks the certificate against tls-server-name when given', async () => {
    const run = await getRun(
      kubeconfig(
        {
          server: tokenServer.url,
          'certificate-authority-data': b64('ca.pem'),
          'tls-server-name': 'kubernetes.test',
        },
        { token: TOKEN },
      ),
    );
    expect(run?.uid).toBe('uid-1');
  });

  it('skips verification only when the kubeconfig says insecure-skip-tls-verify', async () => {
    const run = await getRun(
      kubeconfig({ server: tokenServer.url, 'insecure-skip-tls-verify': true }, { token: TOKEN }),
    );
    expect(run?.uid).toBe('uid-1');
  });
});

describe('kubeconfigs that cannot be used', () => {
  const cluster = { server: 'https://cluster.example.com' };
  it.each([
    [
      'a current context that does not exist',
      kubeconfig(cluster, { token: TOKEN }).replace('current-context: ctx', 'current-context: gone'),
      'KUBECONFIG test has no current context with a cluster',
    ],
    [
      'a context naming a cluster that does not exist',
      kubeconfig(cluster, { token: TOKEN }).replace(/cluster: c$/m, 'cluster: gone'),
      'KUBECONFIG test has no current context with a cluster',
    ],
    [
      'a context naming a user that does not exist',
      kubeconfig(cluster, undefined),
      'KUBECONFIG test has no user for its current context',
    ],
    [
      'an exec plugin',
      kubeconfig(cluster, { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws' } }),
      'KUBECONFIG test: the current user authenticates with an exec plugin, which a function does not run; give a token, a token file or a client certificate',
    ],
    [
      'an auth provider',
      kubeconfig(cluster, { 'auth-provider': { name: 'oidc' } }),
      'KUBECONFIG test: the current user authenticates with an auth provider, which wfe does not run; give a token, a token file or a client certificate',
    ],
    [
      'a client certificate without its key',
      kubeconfig(cluster, { 'client-certificate-data': b64('client.pem') }),
      'KUBECONFIG test: the current user has a client certificate or key without the other',
    ],
    [
      'a CA file that is not there',
      kubeconfig({ ...cluster, 'certificate-authority': 'missing-ca.pem' }, { token: TOKEN }),
      /^KUBECONFIG test: cannot read certificate-authority \/.*\/missing-ca\.pem \(ENOENT\)$/,
    ],
    [
      'a server of the wrong type',
      kubeconfig({ server: 443 }, { token: TOKEN }),
      'KUBECONFIG test is not a valid kubeconfig: clusters.0.cluster.server is missing or of the wrong type',
    ],
    [
      'not YAML',
      'clusters: [unclosed',
      /^KUBECONFIG test is not a valid kubeconfig: [A-Z_]+ at line \d+, column \d+$/,
    ],
  ])('%s: a ConfigError that says so', async (_, yaml, message) => {
    const err = await rejection(read(yaml));
    expect(err).toBeInstanceOf(ConfigError);
    if (typeof message === 'string') expect((err as Error).message).toBe(message);
    else expect((err as Error).message).toMatch(message);
  });

  it('a token an HTTP header cannot carry, without quoting it', async () => {
    const err = await rejection(read(kubeconfig(cluster, { token: 'abc\ndef-secret' })));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      "KUBECONFIG test: the user's token has characters an HTTP header cannot carry",
    );
  });
});

describe("an exec plugin in the operator's own kubeconfig (aws eks get-token, gcloud)", () => {
  /** A plugin: a node script that counts its runs in a file and prints what it is told to. */
  function plugin(name: string, body: string): { exec: Record<string, unknown>; runs: () => number } {
    const script = join(dir, `${name}.mjs`);
    const count = join(dir, `${name}.count`);
    writeFileSync(count, '0');
    writeFileSync(
      script,
      `import { readFileSync, writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(count)}, String(Number(readFileSync(${JSON.stringify(count)}, 'utf8')) + 1));
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? '{}');
${body}`,
    );
    return {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: process.execPath,
        args: [script],
        env: [{ name: 'WFE_PLUGIN_TOKEN', value: TOKEN }],
      },
      runs: () => Number(readFileSync(count, 'utf8')),
    };
  }
  const credential = (status: string) =>
    `process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: ${status} }));`;
  const readExec = (yaml: string) => readKubeconfig(yaml, 'KUBECONFIG test', dir, { runExecPlugins: true });

  it('runs it with its env and KUBERNETES_EXEC_INFO and sends its token; requests at once share one run, and the token is kept while it is good', async () => {
    const p = plugin(
      'expiring',
      `if (info.kind !== 'ExecCredential' || info.spec?.interactive !== false) process.exit(3);
${credential('{ token: process.env.WFE_PLUGIN_TOKEN, expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString() }')}`,
    );
    const connection = await readExec(
      kubeconfig({ server: tokenServer.url, 'certificate-authority-data': b64('ca.pem') }, { exec: p.exec }),
    );
    expect(p.runs()).toBe(0);
    const cluster = new KubernetesCluster(connection, { requestTimeoutMs: 5000 });
    const [a, b] = await Promise.all([
      cluster.getPipelineRun(NS, 'wfe-run'),
      cluster.getPipelineRun(NS, 'wfe-run'),
    ]);
    expect([a?.uid, b?.uid]).toEqual(['uid-1', 'uid-1']);
    expect(tokenServer.seen.slice(-2)).toEqual(['token', 'token']);
    await cluster.getPipelineRun(NS, 'wfe-run');
    expect(p.runs()).toBe(1);
  });

  it('a token within 30 s of its expiry is fetched again for the next request', async () => {
    const p = plugin(
      'expired',
      credential(`{ token: '${TOKEN}', expirationTimestamp: new Date(Date.now() + 29_000).toISOString() }`),
    );
    const connection = await readExec(kubeconfig({ server: tokenServer.url }, { exec: p.exec }));
    expect(await connection.token?.()).toBe(TOKEN);
    expect(await connection.token?.()).toBe(TOKEN);
    expect(p.runs()).toBe(2);
  });

  it('a token without an expiry is kept for the process', async () => {
    const p = plugin('lasting', credential(`{ token: '${TOKEN}' }`));
    const connection = await readExec(kubeconfig({ server: tokenServer.url }, { exec: p.exec }));
    expect(await connection.token?.()).toBe(TOKEN);
    expect(await connection.token?.()).toBe(TOKEN);
    expect(p.runs()).toBe(1);
  });

  it.each([
    [
      'a plugin that fails says its exit code and what it said',
      `process.stderr.write('Unable to locate credentials'); process.exit(255);`,
      'exited 255',
    ],
    [
      'a plugin that prints something else is refused without quoting it',
      `process.stdout.write('token=${TOKEN}');`,
      'not json',
    ],
    [
      'a plugin that gives a client certificate instead of a token',
      credential("{ clientCertificateData: 'PEM' }"),
      'certificate',
    ],
  ])('%s', async (_, body, kind) => {
    const p = plugin(`bad-${kind.replace(/\W/g, '')}`, body);
    const connection = await readExec(kubeconfig({ server: tokenServer.url }, { exec: p.exec }));
    const err = await rejection(connection.token!());
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain(TOKEN);
    if (kind === 'exited 255')
      expect(message).toBe(
        `KUBECONFIG test: the exec plugin ${process.execPath} failed (exit code 255): Unable to locate credentials`,
      );
    if (kind === 'not json')
      expect(message).toBe(
        `KUBECONFIG test: the exec plugin ${process.execPath} did not print an ExecCredential`,
      );
    if (kind === 'certificate')
      expect(message).toBe(
        `KUBECONFIG test: the exec plugin ${process.execPath} gave a client certificate; wfe reads only a token from a plugin`,
      );
  });

  it('a command that is not there, and an exec entry without a command', async () => {
    const missing = await readExec(
      kubeconfig(
        { server: tokenServer.url },
        { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'wfe-no-such-plugin' } },
      ),
    );
    expect(((await rejection(missing.token!())) as Error).message).toBe(
      'KUBECONFIG test: the exec plugin wfe-no-such-plugin failed (no such command)',
    );
    const err = await rejection(
      readExec(kubeconfig({ server: tokenServer.url }, { exec: { apiVersion: 'v1' } })),
    );
    expect((err as Error).message).toBe(
      "KUBECONFIG test: the current user's exec plugin needs an apiVersion and a command",
    );
  });
});
