import { createLogger, loadConfig, runMain } from '@flock/kit';
import { buildSearchService, searchConfigSchema } from './search.service.js';

const logger = createLogger('search');

await runMain(logger, async () => {
  const config = loadConfig(searchConfigSchema);
  logger.level = config.LOG_LEVEL;
  return (await buildSearchService(config, { logger })).start();
});
