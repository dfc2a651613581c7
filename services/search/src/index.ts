import { serve } from '@flock/kit';
import { buildSearchService, searchConfigSchema } from './search.service.js';

await serve('search', searchConfigSchema, (config, logger) =>
  buildSearchService(config, { logger }),
);
