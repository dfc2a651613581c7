import {
  Dapr,
  baseConfigSchema,
  createLogger,
  createService,
  loadConfig,
  runMain,
} from '@flock/kit';

const logger = createLogger('search');

await runMain(logger, async () => {
  const config = loadConfig(baseConfigSchema);
  logger.level = config.LOG_LEVEL;
  const dapr = new Dapr(config, logger);
  return createService({
    config,
    logger,
    readiness: [dapr.readiness],
    onShutdown: [() => dapr.close()],
  }).start();
});
