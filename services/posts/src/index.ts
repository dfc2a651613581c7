import { baseConfigSchema, serve } from '@flock/kit';
import { buildService } from './posts.service.js';

await serve('posts', baseConfigSchema, (config, logger) => buildService(config, logger));
