import { createLogger, loadConfig, runMain } from '@flock/kit';
import { buildTimelineService } from './timeline.service.js';
import { timelineConfigSchema } from './timeline.schemas.js';

const logger = createLogger('timeline');

await runMain(logger, async () => {
  const config = loadConfig(timelineConfigSchema);
  logger.level = config.LOG_LEVEL;
  return buildTimelineService(config, logger).start();
});
