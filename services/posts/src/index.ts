import { baseConfigSchema, createLogger, loadConfig, runMain } from '@flock/kit';
import { buildService } from './posts.service.js';

const logger = createLogger('posts');

await runMain(logger, async () => {
  const config = loadConfig(baseConfigSchema);
  logger.level = config.LOG_LEVEL;
  return buildService(config, logger).start();
});
