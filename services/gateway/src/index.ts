import { serve } from '@flock/kit';
import { gatewayConfigSchema } from './gateway.config.js';
import { buildService } from './gateway.service.js';

await serve('gateway', gatewayConfigSchema, (config, logger) => buildService(config, { logger }));
