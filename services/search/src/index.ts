import { serve } from '@flock/kit';
import { searchConfigSchema } from './search.config.js';
import { buildService } from './search.service.js';

await serve('search', searchConfigSchema, (config, logger) => buildService(config, { logger }));
