/**
 * The local DataStorage on its own: `npx tsx local/datastorage/main.ts [--port N] [--token T] [--file F]`.
 * Prints one line with its URL; stops cleanly on SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startDataStorage } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    token: { type: 'string' },
    file: { type: 'string' },
  },
});

const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
  console.error(`--port must be a port number, got "${values.port}"`);
  process.exitCode = 2;
} else {
  const dataStorage = await startDataStorage({ port, token: values.token, file: values.file });
  console.log(
    `local DataStorage listening on ${dataStorage.url}${values.token ? ' (bearer token required)' : ''}`,
  );
  const stop = () => {
    dataStorage.close().catch((err: unknown) => {
      console.error('local DataStorage did not stop cleanly', err);
      process.exitCode = 1;
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
