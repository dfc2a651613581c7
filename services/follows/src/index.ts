import { baseConfigSchema, serve } from '@flock/kit';
import { buildFollowsService } from './follows.service.js';

await serve('follows', baseConfigSchema, (config, logger) =>
  buildFollowsService(config, { logger }),
);
