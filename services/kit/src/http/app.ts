import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { BaseConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ServiceMetrics } from '../metrics.js';
import { subscriptionRoutes, type Subscription } from '../subscriptions.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { jsonDepthGuard, storableInput } from './input.js';
import { KEEP_ALIVE, setServerTimeouts } from './keep-alive.js';
import {
  answerClientError,
  httpMetrics,
  metricsAccess,
  problemHandler,
  requestLogging,
  sidecarOnly,
  unknownRoute,
} from './middleware.js';

export interface ServiceDefinition {
  config: BaseConfig;
  logger: Logger;
  /** Mounts the service's own routes. */
  routes?: (app: Express) => void;
  subscriptions?: readonly Subscription[];
  readiness?: readonly ReadinessCheck[];
  /**
   * The public edge (the gateway) takes traffic from the ingress, not from its sidecar, so it
   * does not demand APP_API_TOKEN. Every other service accepts only its sidecar when it is set.
   */
  publicEdge?: boolean;
  /**
   * Runs as shutdown begins, before draining: ends what never finishes on its own (open event
   * streams), or the drain waits it out.
   */
  onDrain?: ReadonlyArray<() => void>;
  /** Closes clients once in-flight requests have drained, in order. */
  onShutdown?: ReadonlyArray<() => Promise<void>>;
}

export interface RunningService {
  readonly port: number;
  readonly url: string;
  readonly server: Server;
  /** Stop accepting, drain in-flight requests (bounded by SHUTDOWN_TIMEOUT_MS), close clients. */
  stop(): Promise<void>;
}

export interface Service {
  readonly app: Express;
  readonly metrics: ServiceMetrics;
  start(): Promise<RunningService>;
}

const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Where the sidecar reads subscriptions and delivers events (see subscriptions.ts). */
const SUBSCRIPTION_PATHS = ['/dapr', '/events'];

export function createService(definition: ServiceDefinition): Service {
  const { config, logger } = definition;
  const metrics = new ServiceMetrics(config.APP_ID);
  let draining = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLogging(logger));
  app.use(httpMetrics(metrics));
  app.use(
    healthRoutes(
      definition.readiness ?? [],
      () => draining,
      metrics,
      metricsAccess(config.METRICS_TOKEN, definition.publicEdge === true),
    ),
  );
  app.use(sidecarOnly(definition.publicEdge ? undefined : config.APP_API_TOKEN, OPEN_PATHS));
  // Even on the public edge, events come only from the sidecar.
  if (definition.publicEdge && definition.subscriptions)
    app.use(SUBSCRIPTION_PATHS, sidecarOnly(config.APP_API_TOKEN, new Set()));
  // Dapr delivers events as application/cloudevents+json; both parse as JSON.
  app.use(
    express.json({
      limit: config.BODY_LIMIT,
      type: ['application/json', 'application/*+json'],
      verify: jsonDepthGuard(config.JSON_MAX_DEPTH),
    }),
  );
  app.use(storableInput);
  if (definition.subscriptions)
    app.use(subscriptionRoutes(definition.subscriptions, logger, metrics));
  definition.routes?.(app);
  app.use(unknownRoute);
  app.use(problemHandler(logger));

  async function start(): Promise<RunningService> {
    const server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(config.APP_PORT, config.APP_HOST, (error?: Error) =>
        error ? reject(error) : resolve(listening),
      );
    });
    server.on('clientError', answerClientError);
    setServerTimeouts(server, KEEP_ALIVE.serviceServerIdleMs);
    const port = (server.address() as AddressInfo).port;
    logger.info({ port }, 'service listening');
    // A runner that started us on port 0 learns the port over IPC (no guessing of free ports).
    process.send?.({ type: 'flock:listening', port });
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= shutdown(server));
    return { port, url: `http://127.0.0.1:${port}`, server, stop };
  }

  async function shutdown(server: Server): Promise<void> {
    draining = true;
    logger.info('shutting down: draining in-flight requests');
    for (const end of definition.onDrain ?? []) end();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), config.SHUTDOWN_TIMEOUT_MS).unref(),
    );
    if ((await Promise.race([closed, deadline])) === 'timeout') {
      logger.warn('drain timed out; closing remaining connections');
      server.closeAllConnections();
    }
    for (const close of definition.onShutdown ?? []) await close();
    logger.info('stopped');
  }

  return { app, metrics, start };
}
