import { serve } from '@flock/kit';
import { timelineConfigSchema } from './timeline.config.js';
import { buildService } from './timeline.service.js';

await serve('timeline', timelineConfigSchema, (config, logger) => buildService(config, { logger }));
