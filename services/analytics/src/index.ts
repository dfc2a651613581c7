import { serve } from '@flock/kit';
import { analyticsConfigSchema } from './analytics.config.js';
import { buildService } from './analytics.service.js';

await serve('analytics', analyticsConfigSchema, (config, logger) =>
  buildService(config, { logger }),
);
