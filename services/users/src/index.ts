import { serve } from '@flock/kit';
import { usersConfigSchema } from './users.config.js';
import { buildService } from './users.service.js';

await serve('users', usersConfigSchema, (config, logger) => buildService(config, { logger }));
