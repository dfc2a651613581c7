import type { z } from 'zod';
import { ConfigError, loadConfig, type BaseConfig } from './config.js';
import { AppError, handleError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import type { RunningService, Service } from './http/app.js';

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
  let stopping = false;
  const stopOnce = (reason: string) => {
    if (stopping) return;
    stopping = true;
    stop(reason);
  };
  process.once('SIGTERM', () => stopOnce('SIGTERM'));
  process.once('SIGINT', () => stopOnce('SIGINT'));
  // Started by a runner (an IPC channel to it): when the runner is gone, however it went (even
  // SIGKILL), the channel closes, and the app stops too instead of living on as an orphan.
  if (process.channel) process.once('disconnect', () => stopOnce('runner gone'));
}

/** Exports the spans still buffered when tracing (`@flock/kit/tracing`) is on; never fails. */
async function flushTraces(): Promise<void> {
  const shutdown = (globalThis as Record<symbol, unknown>)[Symbol.for('flock.tracing.shutdown')];
  if (typeof shutdown === 'function') await (shutdown as () => Promise<void>)().catch(() => {});
}

/**
 * A service's whole main program, so every `index.ts` is one call: its logger, its config
 * (validated, failing fast), its wiring from `build`, started under runMain.
 */
export function serve<S extends z.ZodObject>(
  name: string,
  schema: S,
  build: (config: Readonly<z.infer<S>> & BaseConfig, logger: Logger) => Service | Promise<Service>,
): Promise<void> {
  const logger = createLogger(name);
  return runMain(logger, async () => {
    // Every service schema extends baseConfigSchema, so the base keys are there.
    const config = loadConfig(schema) as Readonly<z.infer<S>> & BaseConfig;
    logger.level = config.LOG_LEVEL;
    return (await build(config, logger)).start();
  });
}
