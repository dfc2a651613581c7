#!/usr/bin/env node
/**
 * `npm start`: runs every app of dapr.yaml with a sidecar each, on a profile's components.
 *   node runner/dist/cli.js [--profile embedded] [--runtime sidecar|daprd|auto]
 *                                   [--file dapr.yaml] [--logs file|console]
 *                                   [--ports fixed|ephemeral] [--data-dir DIR]
 * The profile may also come from FLOCK_PROFILE, the runtime from FLOCK_RUNTIME.
 */
import { parseArgs } from 'node:util';
import { PUBLIC_API_PREFIX, createLogger } from '@flock/kit';
import { startPlatform } from './platform.js';
import type { RuntimeChoice } from './runtimes.js';

const RUNTIMES: readonly RuntimeChoice[] = ['sidecar', 'daprd', 'auto'];

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: 'dapr.yaml' },
    profile: { type: 'string', default: process.env.FLOCK_PROFILE ?? 'embedded' },
    runtime: { type: 'string', default: process.env.FLOCK_RUNTIME ?? 'sidecar' },
    logs: { type: 'string', default: 'file' },
    ports: { type: 'string', default: 'fixed' },
    'data-dir': { type: 'string' },
  },
});
const RUNTIME_NAMES = { sidecar: "Flock's own sidecar", daprd: 'the real daprd' } as const;
const logger = createLogger('runner');
const started = Date.now();

try {
  if (!RUNTIMES.includes(values.runtime as RuntimeChoice)) {
    throw new Error(`--runtime must be one of ${RUNTIMES.join(', ')}, not "${values.runtime}"`);
  }
  const platform = await startPlatform({
    runFile: values.file!,
    profile: values.profile!,
    runtime: values.runtime as RuntimeChoice,
    logs: values.logs === 'console' ? 'console' : 'file',
    ports: values.ports === 'ephemeral' ? 'ephemeral' : 'fixed',
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    logger,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      '',
      `Flock is up on the "${platform.profile}" profile in ${seconds} s, on ${RUNTIME_NAMES[platform.runtime]}.`,
      `  API:   ${platform.gatewayUrl}${PUBLIC_API_PREFIX}`,
      ...platform.apps.map(
        (app) =>
          `  ${app.appId.padEnd(13)} ${app.url}  (sidecar ${app.sidecarUrl}, pid ${app.pid})`,
      ),
      values.logs === 'console' ? '' : `  logs:  ${platform.dataDir}/<app>.log`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping the platform');
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  logger.fatal({ err: error }, `could not start the platform: ${(error as Error).message}`);
  process.exit(1);
}
