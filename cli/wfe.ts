/**
 * The `wfe` entry point (bin/wfe.mjs loads it): argv → command → exit code. The only place that
 * calls process.exit. A command that runs until stopped (`wfe dev`) asks for a stop signal and gets
 * SIGINT/SIGTERM as an abort, so it can stop cleanly; a second Ctrl-C forces the exit.
 */
import { text } from 'node:stream/consumers';
import { runCli } from './dispatch.js';

let controller: AbortController | undefined;

function stopSignal(): AbortSignal {
  if (controller) return controller.signal;
  const created = new AbortController();
  controller = created;
  const onSignal = (signal: NodeJS.Signals) => {
    if (created.signal.aborted) {
      process.stderr.write(`wfe: ${signal} again, exiting without waiting\n`);
      process.exit(130);
    }
    created.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return created.signal;
}

const code = await runCli(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  readStdin: () => text(process.stdin),
  stopSignal,
});
// Let buffered output reach a pipe before the exit cuts it off.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
