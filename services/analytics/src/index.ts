import { baseConfigSchema, createLogger, loadConfig, runMain } from '@flock/kit';
import { buildAnalyticsService } from './analytics.service.js';

const logger = createLogger('analytics');

await runMain(logger, async () => {
  const config = loadConfig(baseConfigSchema);
  logger.level = config.LOG_LEVEL;
  return buildAnalyticsService(config, { logger }).start();
});
