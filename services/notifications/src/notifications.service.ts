import { createService, Dapr, mountApi, stateStoreOf, type Logger, type Service } from '@flock/kit';
import { postsClient } from '@flock/posts/client';
import { NotificationsDomain } from './notifications.domain.js';
import { notificationsSubscriptions } from './notifications.events.js';
import { newNotificationId } from './notifications.ids.js';
import { api } from './notifications.api.js';
import { notificationsHandlers } from './notifications.routes.js';
import type { NotificationsConfig } from './notifications.config.js';
import {
  BroadcastLiveChannel,
  DaprInboxRepository,
  DaprPostDirectory,
  DaprUsernameDirectory,
} from './notifications.store.js';
import { StreamHub } from './notifications.stream.js';

export interface NotificationsService extends Service {
  readonly hub: StreamHub;
}

/** The notifications service wired to its sidecar; index.ts, the tests and the bench share it. */
export interface NotificationsDeps {
  logger: Logger;
}

export function buildService(
  config: NotificationsConfig,
  deps: NotificationsDeps,
): NotificationsService {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const state = dapr.state(stateStoreOf(config.APP_ID));
  const clock = { now: () => new Date() };
  const notifications = new NotificationsDomain(
    new DaprInboxRepository(
      state,
      { ttlSeconds: config.NOTIFICATION_TTL_DAYS * 24 * 3600, cap: config.NOTIFICATION_INBOX_CAP },
      clock,
    ),
    new DaprPostDirectory(postsClient(dapr)),
    new DaprUsernameDirectory(state),
    new BroadcastLiveChannel(dapr, logger.child({ component: 'live' })),
    clock,
    newNotificationId,
  );
  const hub = new StreamHub({
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    maxAgeMs: config.SSE_MAX_AGE_MS,
  });
  const service = createService({
    config,
    logger,
    routes: (app) => mountApi(app, api, notificationsHandlers(notifications, hub, logger)),
    subscriptions: notificationsSubscriptions(notifications, hub),
    readiness: [dapr.readiness],
    // Open streams never finish on their own: end them first, or draining waits them out.
    onDrain: [() => hub.close()],
    onShutdown: [() => dapr.close()],
  });
  hub.registerMetrics(service.metrics.registry);
  return { ...service, hub };
}
