import { serve } from '@flock/kit';
import { followsConfigSchema } from './follows.config.js';
import { buildService } from './follows.service.js';

await serve('follows', followsConfigSchema, (config, logger) => buildService(config, { logger }));
