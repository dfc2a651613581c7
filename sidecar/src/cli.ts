#!/usr/bin/env node
/**
 * One sidecar, standalone, with daprd's flag names:
 *   node sidecar/dist/cli.js --app-id posts --app-port 3000 --dapr-http-port 3500 --resources-path ./components/local
 * Reads DAPR_API_TOKEN (API protection) and APP_API_TOKEN (sent to the app) from the environment.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@flock/kit';
import { loadComponents, startSidecar } from './index.js';
import { loadResiliency } from './resiliency.js';

const { values } = parseArgs({
  options: {
    'app-id': { type: 'string' },
    'app-port': { type: 'string' },
    'app-channel-address': { type: 'string', default: '127.0.0.1' },
    'dapr-http-port': { type: 'string', default: '3500' },
    'dapr-listen-addresses': { type: 'string', default: '127.0.0.1' },
    'resources-path': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const logger = createLogger('sidecar-cli');

async function main(): Promise<void> {
  const appId = values['app-id'];
  if (!appId) throw new Error('--app-id is required');
  const appApiToken = process.env.APP_API_TOKEN;
  const sidecar = await startSidecar({
    appId,
    ...(values['app-port']
      ? {
          app: {
            host: values['app-channel-address'] as string,
            port: Number(values['app-port']),
            ...(appApiToken ? { appApiToken } : {}),
          },
        }
      : {}),
    httpPort: Number(values['dapr-http-port']),
    listenAddress: values['dapr-listen-addresses'] as string,
    components: values['resources-path'] ? await loadComponents(values['resources-path']) : [],
    ...(values['resources-path']
      ? { resiliency: await loadResiliency(values['resources-path']) }
      : {}),
    ...(process.env.DAPR_API_TOKEN ? { apiToken: process.env.DAPR_API_TOKEN } : {}),
    logLevel: values['log-level'] as string,
  });
  const stop = (): void => {
    sidecar.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await sidecar.connectApp();
}

main().catch((err: unknown) => {
  logger.error({ err }, 'sidecar failed to start');
  process.exit(1);
});
