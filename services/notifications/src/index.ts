import { serve } from '@flock/kit';
import { notificationsConfigSchema } from './notifications.schemas.js';
import { buildNotificationsService } from './notifications.service.js';

await serve('notifications', notificationsConfigSchema, (config, logger) =>
  buildNotificationsService(config, logger),
);
