import {
  createService,
  Dapr,
  mountApi,
  SECRETS,
  stateStoreOf,
  type Logger,
  type Service,
} from '@flock/kit';
import type { UsersConfig } from './users.config.js';
import { argon2idHasher } from './users.passwords.js';
import { UsersDomain } from './users.domain.js';
import { api } from './users.api.js';
import { usersHandlers } from './users.routes.js';
import {
  DaprLoginAttempts,
  DaprRevocationNotices,
  DaprSessionRepository,
  DaprUserRepository,
} from './users.store.js';
import { invokedCounts, tokenIssuer } from './users.tokens.js';

export interface UsersDeps {
  logger: Logger;
}

/** The users service wired to its sidecar: its signing key comes from the secret store. */
export async function buildService(config: UsersConfig, deps: UsersDeps): Promise<Service> {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const privateKey = await dapr.requiredSecret(SECRETS.jwtPrivateKey);
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
    routes: (app) => mountApi(app, api, usersHandlers(users)),
    readiness: [dapr.readiness],
    onShutdown: [async () => stopRelay(), () => dapr.close()],
  });
}
