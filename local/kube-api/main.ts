/**
 * The built-in Kubernetes API as a process of its own, in auto mode (runs start and finish on
 * their own), for `npm start` and for tests that need "a separately started cluster":
 *
 *   npx tsx local/kube-api/main.ts [--port N] [--kubeconfig-out FILE] [--run-duration 3s]
 *
 * Prints one line with the URL once it is listening; stops cleanly on SIGINT or SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseGoDuration } from '../go-duration.js';
import { startKubeApi } from './index.js';

function fail(message: string): never {
  process.stderr.write(`kube-api: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'kubeconfig-out': { type: 'string' },
    'run-duration': { type: 'string' },
    'start-delay': { type: 'string' },
  },
  strict: true,
});

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a port number, got "${values.port}"`);
const duration = (flag: 'run-duration' | 'start-delay', fallback: number) => {
  const text = values[flag];
  if (text === undefined) return fallback;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) fail(`--${flag} must be a duration such as 3s, got "${text}"`);
  return ms;
};

const kubeApi = await startKubeApi({
  port,
  ...(values.host ? { host: values.host } : {}),
  simulator: {
    mode: 'auto',
    runDurationMs: duration('run-duration', 3000),
    startDelayMs: duration('start-delay', 100),
  },
});
if (values['kubeconfig-out']) writeFileSync(values['kubeconfig-out'], kubeApi.kubeconfig(), { mode: 0o600 });
process.stdout.write(`kube-api listening on ${kubeApi.url}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  kubeApi.close().then(
    () => process.exit(0),
    (err: unknown) => fail(`failed to stop: ${String(err)}`),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
