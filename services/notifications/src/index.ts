import { createLogger, loadConfig, runMain } from '@flock/kit';
import { notificationsConfigSchema } from './notifications.schemas.js';
import { buildNotificationsService } from './notifications.service.js';

const logger = createLogger('notifications');

await runMain(logger, async () => {
  const config = loadConfig(notificationsConfigSchema);
  logger.level = config.LOG_LEVEL;
  return buildNotificationsService(config, logger).start();
});
