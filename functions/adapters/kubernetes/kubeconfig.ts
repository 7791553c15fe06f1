/**
 * The kubeconfig fields the adapter uses, read into a ClusterConnection: the current context's
 * cluster (server, CA data or file, insecure-skip-tls-verify, tls-server-name) and user (token or
 * token file, client certificate and key as data or files). Relative file paths are relative to the
 * kubeconfig's folder, as kubectl reads them. An exec plugin is run only for a kubeconfig on the
 * operator's own machine (exec-credential.ts): a function has no such command. Auth providers
 * (deprecated in kubectl) are refused.
 * The YAML parser is loaded on first use, so EKS access (no kubeconfig) never loads it.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod/mini';
import { ConfigError } from '../../core/errors.js';
import type { ClusterConnection } from './connection.js';
import { execPlugin, execToken } from './exec-credential.js';

const cluster = z.object({
  server: z.string(),
  'certificate-authority': z.optional(z.string()),
  'certificate-authority-data': z.optional(z.string()),
  'insecure-skip-tls-verify': z.optional(z.boolean()),
  'tls-server-name': z.optional(z.string()),
});

const user = z.object({
  token: z.optional(z.string()),
  tokenFile: z.optional(z.string()),
  'client-certificate': z.optional(z.string()),
  'client-certificate-data': z.optional(z.string()),
  'client-key': z.optional(z.string()),
  'client-key-data': z.optional(z.string()),
  exec: z.optional(z.unknown()),
  'auth-provider': z.optional(z.unknown()),
});

const context = z.object({ cluster: z.string(), user: z.optional(z.string()) });

const kubeconfig = z.object({
  clusters: z.optional(z.array(z.object({ name: z.string(), cluster }))),
  users: z.optional(z.array(z.object({ name: z.string(), user: z.optional(user) }))),
  contexts: z.optional(z.array(z.object({ name: z.string(), context }))),
  'current-context': z.optional(z.string()),
});

/** What a header value may hold; a token with anything else is refused without being quoted. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * The YAML parser's error code and position. Never its message, which quotes the lines around the
 * error, tokens included.
 */
function yamlProblem(err: unknown): string {
  const { code, linePos } = err as { code?: unknown; linePos?: { line?: unknown; col?: unknown }[] };
  const what = typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'a YAML syntax error';
  const at = linePos?.[0];
  return typeof at?.line === 'number' && typeof at.col === 'number'
    ? `${what} at line ${at.line}, column ${at.col}`
    : what;
}

async function parseYaml(text: string, where: string): Promise<unknown> {
  const yaml: typeof import('yaml') & { default?: typeof import('yaml') } = await import('yaml');
  // A bundle that splits chunks (the built CLI) hands this CommonJS package over as its default
  // export only; Node and single-file bundles give the named exports too.
  const parse = yaml.parse ?? yaml.default?.parse;
  if (typeof parse !== 'function') throw new Error('the yaml package has no parse function');
  try {
    // 'error': warnings (an unknown tag, say) would be printed with the text they are about.
    return parse(text, { logLevel: 'error' });
  } catch (err) {
    if (!(err instanceof Error && err.name.startsWith('YAML'))) throw err;
    throw new ConfigError(`${where} is not a valid kubeconfig: ${yamlProblem(err)}`);
  }
}

/** Reads a file the kubeconfig names; the path is configuration, never a secret. */
async function readNamed(path: string, baseDir: string, field: string, where: string): Promise<Buffer> {
  const full = isAbsolute(path) ? path : join(baseDir, path);
  try {
    return await readFile(full);
  } catch (err) {
    throw new ConfigError(`${where}: cannot read ${field} ${full} (${(err as NodeJS.ErrnoException).code})`);
  }
}

function headerSafe(token: string, where: string): string {
  if (!HEADER_SAFE.test(token))
    throw new ConfigError(`${where}: the user's token has characters an HTTP header cannot carry`);
  return token;
}

/** Either the inline data (base64) or the named file; undefined when neither is given. */
async function pem(
  data: string | undefined,
  path: string | undefined,
  field: string,
  baseDir: string,
  where: string,
): Promise<Buffer | undefined> {
  if (data !== undefined) return Buffer.from(data, 'base64');
  if (path !== undefined) return readNamed(path, baseDir, field, where);
  return undefined;
}

/**
 * The connection a kubeconfig's current context describes. `where` names the kubeconfig in errors
 * (the file, or the variable naming the secret); `baseDir` resolves relative file paths.
 */
export async function readKubeconfig(
  text: string,
  where: string,
  baseDir: string,
  options: { runExecPlugins?: boolean } = {},
): Promise<ClusterConnection> {
  const parsed = kubeconfig.safeParse(await parseYaml(text, where));
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new ConfigError(
      `${where} is not a valid kubeconfig: ${path ? `${path} is missing or of the wrong type` : 'not a kubeconfig document'}`,
    );
  }
  const config = parsed.data;
  const current = config.contexts?.find((c) => c.name === config['current-context'])?.context;
  const server = config.clusters?.find((c) => c.name === current?.cluster)?.cluster;
  if (!current || !server) throw new ConfigError(`${where} has no current context with a cluster`);
  const client = current.user === undefined ? {} : config.users?.find((u) => u.name === current.user)?.user;
  if (!client) throw new ConfigError(`${where} has no user for its current context`);
  if (client['auth-provider'] !== undefined || (client.exec !== undefined && !options.runExecPlugins))
    throw new ConfigError(
      `${where}: the current user authenticates with ${client.exec !== undefined ? 'an exec plugin, which a function does not run' : 'an auth provider, which wfe does not run'}; give a token, a token file or a client certificate`,
    );

  const connection: ClusterConnection = {
    server: server.server,
    insecureSkipTlsVerify: server['insecure-skip-tls-verify'] ?? false,
  };
  const ca = await pem(
    server['certificate-authority-data'],
    server['certificate-authority'],
    'certificate-authority',
    baseDir,
    where,
  );
  if (ca) connection.ca = ca;
  if (server['tls-server-name']) connection.tlsServerName = server['tls-server-name'];
  const cert = await pem(
    client['client-certificate-data'],
    client['client-certificate'],
    'client-certificate',
    baseDir,
    where,
  );
  const key = await pem(client['client-key-data'], client['client-key'], 'client-key', baseDir, where);
  if (cert && key) connection.clientCertificate = { cert, key };
  else if (cert || key)
    throw new ConfigError(`${where}: the current user has a client certificate or key without the other`);
  const { token, tokenFile } = client;
  if (client.exec !== undefined) {
    const plugin = execPlugin.safeParse(client.exec);
    if (!plugin.success)
      throw new ConfigError(`${where}: the current user's exec plugin needs an apiVersion and a command`);
    const fromPlugin = execToken(plugin.data, { where });
    connection.token = async () => headerSafe(await fromPlugin(), where);
  } else if (token !== undefined) {
    const safe = headerSafe(token, where);
    connection.token = async () => safe;
  } else if (tokenFile !== undefined) {
    // Read at each request: a projected service account token is rotated in place.
    connection.token = async () =>
      headerSafe((await readNamed(tokenFile, baseDir, 'tokenFile', where)).toString('utf8').trim(), where);
  }
  return connection;
}
