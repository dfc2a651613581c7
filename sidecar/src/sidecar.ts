import { Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEEP_ALIVE, createLogger, type Logger } from '@flock/kit';
import { waitForAppPort, type AppAddress } from './app-channel.js';
import type { ComponentDefinition } from './components/load.js';
import { initComponents, type Components } from './components/registry.js';
import { registerInvokeRoutes } from './http/invoke.routes.js';
import { registerMetaRoutes } from './http/meta.routes.js';
import { registerPubSubRoutes } from './http/pubsub.routes.js';
import { Router } from './http/router.js';
import { registerSecretsRoutes } from './http/secrets.routes.js';
import { SidecarMetrics } from './http/metrics.js';
import { createApiServer } from './http/server.js';
import { registerStateRoutes } from './http/state.routes.js';
import { deliveryHandler } from './pubsub/delivery.js';
import { discoverSubscriptions, type Subscription } from './pubsub/subscriptions.js';
import { PolicyRunner, emptyResiliency, type Resiliency } from './resiliency.js';

export interface SidecarOptions {
  appId: string;
  /** The sidecar's own app; absent = a sidecar without an app (no subscriptions, no self-invoke). */
  app?: AppAddress;
  /** 0 = ephemeral. */
  httpPort: number;
  /** Interface to listen on; default 127.0.0.1. */
  listenAddress?: string;
  components: ComponentDefinition[];
  /** Name resolution for service invocation; the sidecar's own app is always known. */
  resolveApp?: (appId: string) => AppAddress | undefined;
  /** DAPR_API_TOKEN: when set every API call must carry it as `dapr-api-token`. */
  apiToken?: string;
  logLevel?: string;
  /** Resiliency resources of the resources folder (`loadResiliency`). */
  resiliency?: Resiliency;
  /** Declarative Subscription resources for this app (`loadSubscriptions`). */
  subscriptions?: Subscription[];
  /** Prometheus `/metrics` on this port (daprd's `--metrics-port`, 9090 there); 0 or absent = off. */
  metricsPort?: number;
}

export interface Sidecar {
  readonly port: number;
  readonly url: string;
  /** Discovers subscriptions (waits until the app port accepts TCP) and starts deliveries. */
  connectApp(): Promise<void>;
  /** Stops accepting requests, lets in-flight requests and deliveries finish, closes pools. */
  stop(): Promise<void>;
}

/** How long stop() lets in-flight API requests and deliveries finish before cutting them off. */
const DRAIN_MS = 10_000;

export async function startSidecar(opts: SidecarOptions): Promise<Sidecar> {
  const logger = createLogger(
    `sidecar:${opts.appId}`,
    (opts.logLevel ?? 'info') as Parameters<typeof createLogger>[1],
  );
  const components = await initComponents(
    opts.components,
    opts.appId,
    logger,
    opts.resiliency ?? emptyResiliency(),
  );
  const { app, appId } = opts;
  const stopping = new AbortController();
  // One pool for everything the sidecar sends its app and others (invocation, deliveries), idle
  // sockets let go before the apps close them (KEEP_ALIVE in the kit), as daprd's app channel.
  const agent = new Agent({ keepAlive: true, timeout: KEEP_ALIVE.sidecarToServiceIdleMs });
  const subscriptions: Subscription[] = [];
  const unsubscribes: Array<() => Promise<void>> = [];
  let appConnected = app === undefined;
  let serverUp = false;
  let stopped: Promise<void> | undefined;

  const router = new Router();
  registerMetaRoutes(router, {
    appId,
    app,
    components,
    subscriptions: () => subscriptions,
    outboundReady: () => serverUp,
    ready: () => serverUp && appConnected,
    extended: new Map(),
    shutdown: () => void sidecar.stop(),
  });
  registerStateRoutes(router, components);
  registerPubSubRoutes(router, components, appId);
  registerSecretsRoutes(router, components);
  // One runner per target app, so a circuit breaker remembers that app's failures.
  const invokePolicies = new Map<string, PolicyRunner>();
  const resiliency = opts.resiliency ?? emptyResiliency();
  const fallback = registerInvokeRoutes(router, {
    appId,
    agent,
    resolve: (id) => (id === appId ? app : opts.resolveApp?.(id)),
    policyFor(target) {
      const policy = resiliency.apps.get(target);
      if (!policy) return undefined;
      if (!invokePolicies.has(target)) invokePolicies.set(target, new PolicyRunner(policy));
      return invokePolicies.get(target);
    },
  });
  const metrics = opts.metricsPort ? new SidecarMetrics(appId) : undefined;
  const server = createApiServer({ router, fallback, apiToken: opts.apiToken, logger, metrics });
  let metricsServer: Server | undefined;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.httpPort, opts.listenAddress ?? '127.0.0.1', () => resolve());
    });
    metricsServer = await metrics?.listen(opts.metricsPort!, opts.listenAddress ?? '127.0.0.1');
  } catch (err) {
    if (server.listening) server.close();
    await components.close();
    throw err;
  }
  serverUp = true;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, components: components.all().map((c) => c.name) }, 'sidecar listening');

  const sidecar: Sidecar = {
    port,
    url: `http://127.0.0.1:${port}`,
    async connectApp() {
      if (!app || appConnected) return;
      await waitForAppPort(app, stopping.signal);
      const declared = opts.subscriptions ?? [];
      for (const sub of [...declared, ...(await discoverSubscriptions(app, appId, logger))]) {
        await subscribe(sub, app, agent, components, logger, stopping.signal).then(
          (unsubscribe) => {
            subscriptions.push(sub);
            unsubscribes.push(unsubscribe);
          },
          (err: unknown) =>
            logger.error(
              { err, topic: sub.topic, pubsubname: sub.pubsubname },
              'subscription not started',
            ),
        );
      }
      appConnected = true;
      logger.info({ subscriptions: subscriptions.length }, 'app connected');
    },
    stop() {
      stopped ??= shutdown();
      return stopped;
    },
  };

  async function shutdown(): Promise<void> {
    serverUp = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // close() ends only connections idle right now; keep-alive ones that finish a request later
    // (the shutdown call itself, for one) are closed as they go idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const drain = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    drain.unref();
    // Unsubscribing waits for in-flight deliveries (bounded, an app may hang); aborting ends
    // their backoff waits.
    stopping.abort();
    await Promise.race([
      Promise.allSettled(unsubscribes.map((u) => u())),
      sleep(DRAIN_MS, undefined, { ref: false }),
    ]);
    await closed;
    clearInterval(sweep);
    clearTimeout(drain);
    agent.destroy();
    metricsServer?.close();
    await components.close();
    logger.info('sidecar stopped');
  }

  return sidecar;
}

async function subscribe(
  sub: Subscription,
  app: AppAddress,
  agent: Agent,
  components: Components,
  logger: Logger,
  signal: AbortSignal,
): Promise<() => Promise<void>> {
  const component = components.pubsub.get(sub.pubsubname);
  if (!component) throw new Error(`pubsub ${sub.pubsubname} is not loaded for this app`);
  const handler = deliveryHandler({ sub, component, app, agent, logger, signal });
  return component.pubsub.subscribe(
    { topic: sub.topic, consumerId: component.consumerId },
    handler,
  );
}
