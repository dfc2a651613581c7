import { baseConfigSchema, createLogger, loadConfig, runMain } from '@flock/kit';
import { buildFollowsService } from './follows.service.js';

const logger = createLogger('follows');

await runMain(logger, async () => {
  const config = loadConfig(baseConfigSchema);
  logger.level = config.LOG_LEVEL;
  return buildFollowsService(config, { logger }).start();
});
