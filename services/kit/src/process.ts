import { ConfigError } from './config.js';
import { AppError, handleError } from './errors.js';
import type { Logger } from './logger.js';
import type { RunningService } from './http/app.js';

/**
 * Runs a service as the main program: SIGTERM/SIGINT drain and exit 0; an uncaught exception
 * or unhandled rejection is classified as catastrophic, logged once, and exits 1.
 */
export async function runMain(logger: Logger, start: () => Promise<RunningService>): Promise<void> {
  const crash = (error: unknown) => {
    handleError(
      new AppError('crash', 'The process hit an unrecoverable error.', 500, {
        catastrophic: true,
        cause: error,
      }),
      logger,
    );
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  let service: RunningService;
  try {
    service = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.exit(78); // EX_CONFIG: a deployment problem, not a crash
    }
    return crash(error);
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'signal received');
    service
      .stop()
      .then(flushTraces)
      .then(
        () => process.exit(0),
        (error: unknown) => crash(error),
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Exports the spans still buffered when tracing (`@flock/kit/tracing`) is on; never fails. */
async function flushTraces(): Promise<void> {
  const shutdown = (globalThis as Record<symbol, unknown>)[Symbol.for('flock.tracing.shutdown')];
  if (typeof shutdown === 'function') await (shutdown as () => Promise<void>)().catch(() => {});
}
