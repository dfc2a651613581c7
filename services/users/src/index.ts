import { Dapr, SECRETS, baseConfigSchema, createService, serve, stateStoreOf } from '@flock/kit';
import { argon2idHasher } from './users.passwords.js';
import { UsersDomain } from './users.domain.js';
import { usersRoutes } from './users.routes.js';
import {
  DaprLoginAttempts,
  DaprRevocationNotices,
  DaprSessionRepository,
  DaprUserRepository,
} from './users.store.js';
import { invokedCounts, tokenIssuer } from './users.tokens.js';

await serve('users', baseConfigSchema, async (config, logger) => {
  const dapr = new Dapr(config, logger);
  const privateKey = (await dapr.secret(SECRETS.jwtPrivateKey))[SECRETS.jwtPrivateKey];
  if (!privateKey) throw new Error(`secret ${SECRETS.jwtPrivateKey} is empty`);
  const state = dapr.state(stateStoreOf(config.APP_ID));
  const outbox = dapr.outbox(state, logger);
  const users = new UsersDomain(
    new DaprUserRepository(state, outbox),
    new DaprSessionRepository(state),
    new DaprLoginAttempts(state),
    new DaprRevocationNotices(dapr, logger),
    argon2idHasher,
    await tokenIssuer(privateKey),
    invokedCounts(dapr, logger),
    { now: () => new Date() },
    await argon2idHasher.hash(crypto.randomUUID()),
  );
  const stopRelay = outbox.startRelay();
  return createService({
    config,
    logger,
    routes: (app) => usersRoutes(app, users),
    readiness: [dapr.readiness],
    onShutdown: [async () => stopRelay(), () => dapr.close()],
  });
});
