import type { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../core/ports.js';

/** The core's Log port over the Powertools logger (structured JSON lines). */
export function logPort(logger: Logger): Log {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
  };
}
