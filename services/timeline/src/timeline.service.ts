import {
  createService,
  Dapr,
  mountApi,
  ProcessedEvents,
  stateStoreOf,
  type Logger,
  type Service,
} from '@flock/kit';
import { postsClient } from '@flock/posts/client';
import { Histogram } from 'prom-client';
import { TimelineDomain, type PostReader } from './timeline.domain.js';
import { announceOnBroadcast, timelineSubscriptions } from './timeline.events.js';
import { api } from './timeline.api.js';
import { timelineHandlers } from './timeline.routes.js';
import type { TimelineConfig } from './timeline.config.js';
import { DaprTimelineRepository } from './timeline.store.js';

export interface TimelineDeps {
  logger: Logger;
  /** Where pages are hydrated from; the posts service by default (component tests stand in). */
  posts?: PostReader;
}

/** The timeline service wired to its sidecar; index.ts and the tests share it. */
export function buildService(config: TimelineConfig, deps: TimelineDeps): Service {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const state = dapr.state(stateStoreOf(config.APP_ID));
  let observeLag: (seconds: number) => void = () => undefined;
  const timeline = new TimelineDomain(
    new DaprTimelineRepository(state),
    deps.posts ?? { read: postsClient(dapr).batch },
    { celebrityFollowers: config.CELEBRITY_FOLLOWERS },
    { now: () => new Date() },
    { observeLag: (seconds) => observeLag(seconds), announce: announceOnBroadcast(dapr, logger) },
  );
  const service = createService({
    config,
    logger,
    routes: (app) => mountApi(app, api, timelineHandlers(timeline)),
    subscriptions: timelineSubscriptions(timeline, new ProcessedEvents(state)),
    readiness: [dapr.readiness],
    onShutdown: [() => dapr.close()],
  });
  const fanoutLag = new Histogram({
    name: 'timeline_fanout_lag_seconds',
    help: 'From post.createdAt to the post landing in a home timeline.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [service.metrics.registry],
  });
  observeLag = (seconds) => fanoutLag.observe(Math.max(0, seconds));
  return service;
}
