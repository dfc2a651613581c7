import { serve } from '@flock/kit';
import { postsConfigSchema } from './posts.config.js';
import { buildService } from './posts.service.js';

await serve('posts', postsConfigSchema, (config, logger) => buildService(config, { logger }));
