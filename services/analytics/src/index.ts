import { baseConfigSchema, serve } from '@flock/kit';
import { buildAnalyticsService } from './analytics.service.js';

await serve('analytics', baseConfigSchema, (config, logger) =>
  buildAnalyticsService(config, { logger }),
);
