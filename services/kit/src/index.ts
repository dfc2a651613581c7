export { baseConfigSchema, loadConfig, ConfigError, type BaseConfig } from './config.js';
export { createLogger, type Logger } from './logger.js';
export {
  AppError,
  badRequest,
  classify,
  conflict,
  forbidden,
  handleError,
  ifFound,
  notFound,
  toProblem,
  tooManyRequests,
  unauthorized,
  PROBLEM_CONTENT_TYPE,
  type FieldError,
  type Problem,
} from './errors.js';
export { ServiceMetrics } from './metrics.js';
/** prom-client's primitives, for metrics that are not a service's (the local sidecar's). */
export { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
export {
  createService,
  type RunningService,
  type Service,
  type ServiceDefinition,
} from './http/app.js';
export type { ReadinessCheck } from './http/health.js';
export { KEEP_ALIVE, setServerTimeouts } from './http/keep-alive.js';
export { serve } from './process.js';
export {
  on,
  subscriptionRoute,
  type DeliveredEvent,
  type Outcome,
  type Subscription,
} from './subscriptions.js';
export { Dapr, type InvokeOptions } from './dapr/dapr.js';
export {
  StateStore,
  guardedUpsert,
  type Versioned,
  type StateEntry,
  type SaveOptions,
  type StateQuery,
  type TransactionOperation,
} from './dapr/state.js';
export { WriteConflict, parseSidecarFailure } from './dapr/errors.js';
export { retryOnConflict } from './dapr/retry.js';
export { characterCount, excerpt, normalizeText, userText } from './text.js';
export * from './names.js';
export {
  ACCESS_REVOKED_TOPIC,
  ACCESS_TOKEN_TTL_SECONDS,
  CLIENT_ADDRESS_HEADER,
  REFRESH_COOKIE_HEADER,
  SESSION_ID_HEADER,
  USER_ID_HEADER,
  USERNAME_HEADER,
  accessRevoked,
  accessTokenSigner,
  accessTokenVerifier,
  type AccessRevoked,
  type AuthUser,
  type VerifiedToken,
} from './auth.js';
export {
  EVENTS,
  TIMELINE_NOTICE_MAX,
  domainEvent,
  timelineUpdated,
  type DomainEvent,
  type EventPayload,
  type TimelineUpdated,
  type Topic,
} from './events.js';
export { Outbox, newEventId } from './dapr/outbox.js';
export { ProcessedEvents, consumeOnce, updateWithRetry } from './dapr/consume-once.js';
export { FORWARDED_PREFIX_HEADER, PUBLIC_API_PREFIX, publicPath } from './http/public-path.js';
export {
  cursorPage,
  decodeCursor,
  encodeCursor,
  idList,
  pageQuery,
  queryPageToken,
  offsetCursor,
  pageFrom,
  type OffsetPage,
  type Page,
  type PageQuery,
} from './http/pagination.js';
export { defineApi, publicRoutes, type ApiRoute, type ServiceApi } from './api.js';
export { mountApi, type Handlers, type RouteInput } from './http/mount-api.js';
