/**
 * A kubeconfig user's exec plugin (client.authentication.k8s.io ExecCredential), as kubectl runs it:
 * the command with its args and env, KUBERNETES_EXEC_INFO describing the call, the token read from
 * its standard output and kept until its expirationTimestamp. `aws eks update-kubeconfig` and
 * `gcloud` write such users, so an operator's own kubeconfig usually needs one; a kubeconfig from a
 * secret does not run commands (the function has none to run).
 */
import { execFile } from 'node:child_process';
import * as z from 'zod/mini';
import { ConfigError } from '../../core/errors.js';

export const execPlugin = z.object({
  apiVersion: z.string(),
  command: z.string().check(z.minLength(1)),
  args: z.optional(z.nullable(z.array(z.string()))),
  env: z.optional(z.nullable(z.array(z.object({ name: z.string(), value: z.string() })))),
});
export type ExecPlugin = z.output<typeof execPlugin>;

const execCredential = z.object({
  kind: z.literal('ExecCredential'),
  status: z.object({
    token: z.optional(z.string()),
    expirationTimestamp: z.optional(z.string()),
    clientCertificateData: z.optional(z.string()),
  }),
});

/** A token is used again until this long before its expiry, so a request never carries a stale one. */
const EXPIRY_MARGIN_MS = 30_000;
/** A plugin that hangs (waiting for a login prompt nobody sees) fails instead of holding the command. */
const PLUGIN_TIMEOUT_MS = 60_000;
/** The plugin's own explanation, shortened: enough to say "no credentials", never a page of output. */
const STDERR_SHOWN = 300;

export interface ExecOptions {
  /** Names the kubeconfig in errors. */
  where: string;
}

function run(plugin: ExecPlugin, where: string): Promise<string> {
  const env = { ...process.env };
  for (const { name, value } of plugin.env ?? []) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: plugin.apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false },
  });
  return new Promise((resolve, reject) => {
    execFile(
      plugin.command,
      plugin.args ?? [],
      { env, timeout: PLUGIN_TIMEOUT_MS, maxBuffer: 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT'
            ? 'no such command'
            : err.killed
              ? `no answer within ${PLUGIN_TIMEOUT_MS / 1000}s`
              : `exit code ${code ?? err.signal}`;
        const said = stderr.trim().slice(0, STDERR_SHOWN);
        reject(
          new ConfigError(
            `${where}: the exec plugin ${plugin.command} failed (${why})${said ? `: ${said}` : ''}`,
          ),
        );
      },
    );
  });
}

/** A token source that runs the plugin when it has no token or its token is about to expire. */
export function execToken(plugin: ExecPlugin, options: ExecOptions): () => Promise<string> {
  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const stdout = await run(plugin, options.where);
    let parsed: z.output<typeof execCredential> | undefined;
    try {
      const result = execCredential.safeParse(JSON.parse(stdout));
      if (result.success) parsed = result.data;
    } catch {
      // Not JSON: said below without quoting what was printed (it may hold a credential).
    }
    if (!parsed)
      throw new ConfigError(
        `${options.where}: the exec plugin ${plugin.command} did not print an ExecCredential`,
      );
    const { token, expirationTimestamp, clientCertificateData } = parsed.status;
    if (!token)
      throw new ConfigError(
        `${options.where}: the exec plugin ${plugin.command} gave ${clientCertificateData ? 'a client certificate' : 'no token'}; wfe reads only a token from a plugin`,
      );
    const expires = expirationTimestamp ? Date.parse(expirationTimestamp) : Number.POSITIVE_INFINITY;
    cached = { token, until: Number.isNaN(expires) ? 0 : expires - EXPIRY_MARGIN_MS };
    return token;
  }

  return async () => {
    if (cached && Date.now() < cached.until) return cached.token;
    // Requests made at once share one run of the plugin.
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
