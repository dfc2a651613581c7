import { baseConfigSchema, serve } from '@flock/kit';
import { buildService } from './comments.service.js';

await serve('comments', baseConfigSchema, (config, logger) => buildService(config, logger));
