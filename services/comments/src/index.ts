import { serve } from '@flock/kit';
import { commentsConfigSchema } from './comments.config.js';
import { buildService } from './comments.service.js';

await serve('comments', commentsConfigSchema, (config, logger) => buildService(config, { logger }));
