import type { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../core/ports.js';

/**
 * The core's Log port over the Powertools logger (structured JSON lines). Keys given with `with` go
 * on each line as its own fields rather than onto the shared logger (appendKeys), so lines of records
 * handled side by side never carry each other's keys.
 */
export function logPort(logger: Logger, keys: Record<string, string> = {}): Log {
  return {
    info: (message, fields) => logger.info(message, { ...keys, ...fields }),
    warn: (message, fields) => logger.warn(message, { ...keys, ...fields }),
    with: (more) => logPort(logger, { ...keys, ...more }),
  };
}
