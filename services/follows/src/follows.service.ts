import {
  createService,
  Dapr,
  mountApi,
  newEventId,
  ProcessedEvents,
  stateStoreOf,
  type Logger,
  type Service,
} from '@flock/kit';
import { usersClient } from '@flock/users/client';
import type { FollowsConfig } from './follows.config.js';
import { FollowsDomain, type UserDirectory } from './follows.domain.js';
import { followsSubscriptions } from './follows.events.js';
import { api } from './follows.api.js';
import { followsHandlers } from './follows.routes.js';
import { DaprGraphRepository, DaprUserDirectory } from './follows.store.js';

export interface FollowsDeps {
  logger: Logger;
  /** Defaults to asking the users service by invocation. */
  users?: UserDirectory;
  /** How often the outbox relay republishes events a failed publish left behind. */
  relayIntervalMs?: number;
}

/** The follows service wired to its sidecar; index.ts and the tests share it. */
export function buildService(config: FollowsConfig, deps: FollowsDeps): Service {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const state = dapr.state(stateStoreOf(config.APP_ID));
  // Events leave through the outbox, in the transaction of the write that implies them.
  const outbox = dapr.outbox(state, logger.child({ component: 'outbox' }));
  const follows = new FollowsDomain(
    new DaprGraphRepository(state, outbox),
    deps.users ?? new DaprUserDirectory(usersClient(dapr)),
    { now: () => new Date() },
    newEventId,
  );
  const stopRelay = outbox.startRelay(deps.relayIntervalMs);
  return createService({
    config,
    logger,
    routes: (app) => mountApi(app, api, followsHandlers(follows)),
    subscriptions: followsSubscriptions(follows, new ProcessedEvents(state)),
    readiness: [dapr.readiness],
    onShutdown: [async () => stopRelay(), () => dapr.close()],
  });
}
