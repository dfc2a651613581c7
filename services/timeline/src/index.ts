import { serve } from '@flock/kit';
import { timelineConfigSchema } from './timeline.schemas.js';
import { buildTimelineService } from './timeline.service.js';

await serve('timeline', timelineConfigSchema, (config, logger) =>
  buildTimelineService(config, logger),
);
