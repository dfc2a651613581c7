import { baseConfigSchema, createLogger, loadConfig, runMain } from '@flock/kit';
import { buildService } from './comments.service.js';

const logger = createLogger('comments');

await runMain(logger, async () => {
  const config = loadConfig(baseConfigSchema);
  logger.level = config.LOG_LEVEL;
  return buildService(config, logger).start();
});
