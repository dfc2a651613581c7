import { createService, Dapr, mountApi, stateStoreOf, type Logger, type Service } from '@flock/kit';
import { postsClient } from '@flock/posts/client';
import type { CommentsConfig } from './comments.config.js';
import { CommentsDomain, type Clock } from './comments.domain.js';
import { commentsSubscriptions } from './comments.events.js';
import { api } from './comments.api.js';
import { commentsHandlers } from './comments.routes.js';
import { DaprCommentRepository, DaprPostDirectory } from './comments.store.js';

export interface CommentsDeps {
  logger: Logger;
  clock?: Clock;
  relayIntervalMs?: number;
}

/** The comments service wired to its sidecar; index.ts and the component tests share it. */
export function buildService(config: CommentsConfig, deps: CommentsDeps): Service {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const state = dapr.state(stateStoreOf(config.APP_ID));
  const outbox = dapr.outbox(state, logger);
  const comments = new CommentsDomain(
    new DaprCommentRepository(state, outbox),
    new DaprPostDirectory(postsClient(dapr)),
    deps.clock ?? { now: () => new Date() },
  );
  const stopRelay = outbox.startRelay(deps.relayIntervalMs);
  return createService({
    config,
    logger,
    routes: (app) => mountApi(app, api, commentsHandlers(comments)),
    subscriptions: commentsSubscriptions(comments),
    readiness: [dapr.readiness],
    onShutdown: [async () => stopRelay(), () => dapr.close()],
  });
}
