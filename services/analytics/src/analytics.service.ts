import {
  createService,
  Dapr,
  mountApi,
  newEventId,
  stateStoreOf,
  type Logger,
  type Service,
} from '@flock/kit';
import type { AnalyticsConfig } from './analytics.config.js';
import { AnalyticsDomain, type Clock } from './analytics.domain.js';
import { analyticsSubscriptions } from './analytics.events.js';
import { api } from './analytics.api.js';
import { analyticsHandlers } from './analytics.routes.js';
import { DaprCounterRepository } from './analytics.store.js';

export interface AnalyticsDeps {
  logger: Logger;
  clock?: Clock;
}

/** The analytics service wired to its sidecar; index.ts and the tests share it. */
export function buildService(config: AnalyticsConfig, deps: AnalyticsDeps): Service {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const analytics = new AnalyticsDomain(
    new DaprCounterRepository(dapr.state(stateStoreOf(config.APP_ID))),
    deps.clock ?? { now: () => new Date() },
    newEventId,
  );
  return createService({
    config,
    logger,
    routes: (app) => mountApi(app, api, analyticsHandlers(analytics)),
    subscriptions: analyticsSubscriptions(analytics),
    readiness: [dapr.readiness],
    onShutdown: [() => dapr.close()],
  });
}
