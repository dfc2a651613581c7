import {
  Dapr,
  SECRETS,
  accessTokenSigner,
  baseConfigSchema,
  createLogger,
  createService,
  loadConfig,
  runMain,
  stateStoreOf,
} from '@flock/kit';
import { argon2idHasher } from './users.passwords.js';
import { UsersDomain } from './users.domain.js';
import { usersRoutes } from './users.routes.js';
import { DaprUserRepository } from './users.store.js';

const logger = createLogger('users');

await runMain(logger, async () => {
  const config = loadConfig(baseConfigSchema);
  logger.level = config.LOG_LEVEL;
  const dapr = new Dapr(config, logger);
  const privateKey = (await dapr.secret(SECRETS.jwtPrivateKey))[SECRETS.jwtPrivateKey];
  if (!privateKey) throw new Error(`secret ${SECRETS.jwtPrivateKey} is empty`);
  const users = new UsersDomain(
    new DaprUserRepository(dapr.state(stateStoreOf(config.APP_ID))),
    argon2idHasher,
    { now: () => new Date() },
    await argon2idHasher.hash(crypto.randomUUID()),
  );
  const signAccessToken = await accessTokenSigner(privateKey);
  return createService({
    config,
    logger,
    routes: (app) => usersRoutes(app, users, signAccessToken),
    readiness: [dapr.readiness],
    onShutdown: [() => dapr.close()],
  }).start();
});
