/**
 * The few errors callers act on. Transient faults are thrown so the message or stream batch is
 * retried; permanent rejections are turned into Failed executions by the core.
 */

/** The cluster could not be reached or answered 5xx/429/401, or timed out: retry later. */
export class ClusterUnavailableError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ClusterUnavailableError';
  }
}

/** The cluster refused the request for good (400/403/404 namespace/422): retrying cannot help. */
export class ClusterRejectedError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ClusterRejectedError';
  }
}

/** A configuration value is missing or invalid; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * DataStorage could not take a batch right now (5xx, 429, 408, a timeout, a network error, or it
 * refused our credentials): nothing about the events is wrong, so they are sent again later.
 */
export class DataStorageUnavailableError extends Error {
  readonly maybeStored: boolean;
  constructor(
    message: string,
    readonly status?: number,
    /** From a Retry-After header: the least time to wait before the next attempt. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions & {
      /** The request went out and no answer came back: DataStorage may have stored the batch. */
      maybeStored?: boolean;
    },
  ) {
    super(message, options);
    this.maybeStored = options?.maybeStored ?? false;
    this.name = 'DataStorageUnavailableError';
  }
}
