import {
  Dapr,
  SECRETS,
  accessTokenVerifier,
  baseConfigSchema,
  createLogger,
  createService,
  loadConfig,
  runMain,
} from '@flock/kit';
import { bearerAuth } from './gateway.auth.js';
import { daprForward } from './gateway.proxy.js';
import { gatewayRoutes } from './gateway.routes.js';

const logger = createLogger('gateway');

await runMain(logger, async () => {
  const config = loadConfig(baseConfigSchema);
  logger.level = config.LOG_LEVEL;
  const dapr = new Dapr(config, logger);
  const publicKey = (await dapr.secret(SECRETS.jwtPublicKey))[SECRETS.jwtPublicKey];
  if (!publicKey) throw new Error(`secret ${SECRETS.jwtPublicKey} is empty`);
  const authenticate = bearerAuth(await accessTokenVerifier(publicKey));
  return createService({
    config,
    logger,
    publicEdge: true,
    routes: (app) => gatewayRoutes(app, authenticate, daprForward(dapr)),
    readiness: [dapr.readiness],
    onShutdown: [() => dapr.close()],
  }).start();
});
