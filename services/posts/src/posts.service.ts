import { Dapr, createService, mountApi, stateStoreOf, type Logger, type Service } from '@flock/kit';
import { api } from './posts.api.js';
import type { PostsConfig } from './posts.config.js';
import { PostsDomain, type Clock } from './posts.domain.js';
import { postsSubscriptions } from './posts.events.js';
import { postsHandlers } from './posts.routes.js';
import { DaprPostRepository } from './posts.store.js';

export interface PostsDeps {
  logger: Logger;
  clock?: Clock;
  /** How often the outbox relay republishes events a crash left behind. */
  relayIntervalMs?: number;
}

/** The posts service wired to its sidecar; index.ts and the component tests share it. */
export function buildService(config: PostsConfig, deps: PostsDeps): Service {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const state = dapr.state(stateStoreOf(config.APP_ID));
  const outbox = dapr.outbox(state, logger);
  const posts = new PostsDomain(
    new DaprPostRepository(state, outbox),
    deps.clock ?? { now: () => new Date() },
  );
  const stopRelay = outbox.startRelay(deps.relayIntervalMs);
  return createService({
    config,
    logger,
    routes: (app) => mountApi(app, api, postsHandlers(posts)),
    subscriptions: postsSubscriptions(posts),
    readiness: [dapr.readiness],
    onShutdown: [async () => stopRelay(), () => dapr.close()],
  });
}
