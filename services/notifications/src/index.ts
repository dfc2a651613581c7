import { serve } from '@flock/kit';
import { notificationsConfigSchema } from './notifications.config.js';
import { buildService } from './notifications.service.js';

await serve('notifications', notificationsConfigSchema, (config, logger) =>
  buildService(config, { logger }),
);
