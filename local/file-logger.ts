/**
 * The functions' Powertools logger, writing its JSON lines to a file instead of stdout: locally
 * the terminal belongs to the progress view, and the log (`.wfe/dev.log`) is there to read when
 * something needs explaining.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

export interface LogSink {
  write(line: string): unknown;
}

class SinkLogger extends Logger {
  constructor(
    options: ConstructorParameters<typeof Logger>[0],
    private readonly sink: LogSink,
  ) {
    super(options);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    // Optional: the base constructor may print before this class has set `sink`.
    this.sink?.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
  }
}

export function fileLogger(serviceName: string, sink: LogSink): Logger {
  return new SinkLogger({ serviceName }, sink);
}
