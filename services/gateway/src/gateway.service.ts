import {
  Dapr,
  SECRETS,
  accessTokenVerifier,
  createService,
  type Logger,
  type ReadinessCheck,
  type Service,
} from '@flock/kit';
import { usersClient } from '@flock/users/client';
import cors from 'cors';
import { APIS, apiDocument } from './gateway.apis.js';
import { Revocations, bearerAuth, revocationNotices } from './gateway.auth.js';
import type { GatewayConfig } from './gateway.config.js';
import { docsRoutes } from './gateway.docs.js';
import { rateLimits, streamCap } from './gateway.limits.js';
import { daprForward } from './gateway.proxy.js';
import { gatewayRoutes } from './gateway.routes.js';
import { webRoutes } from './gateway.web.js';

/** Headers a browser client may read from our answers. */
const EXPOSED_HEADERS = [
  'Link',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
];

export interface GatewayDeps {
  logger: Logger;
}

/** The public edge wired to its sidecar: the token-verifying key comes from the secret store. */
export async function buildService(config: GatewayConfig, deps: GatewayDeps): Promise<Service> {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const publicKey = await dapr.requiredSecret(SECRETS.jwtPublicKey);
  const revocations = new Revocations(usersClient(dapr).isRevoked, config.REVOCATION_CACHE_MS);
  const auth = bearerAuth(await accessTokenVerifier(publicKey), revocations);
  return createService({
    config,
    logger,
    publicEdge: true,
    subscriptions: [revocationNotices(revocations)],
    routes(app) {
      app.set('trust proxy', config.TRUST_PROXY_HOPS);
      app.use(
        cors({
          origin:
            config.CORS_ORIGINS === '*' ? '*' : config.CORS_ORIGINS.split(',').map((o) => o.trim()),
          exposedHeaders: EXPOSED_HEADERS,
          maxAge: 600,
        }),
      );
      docsRoutes(app, apiDocument());
      gatewayRoutes(
        app,
        APIS,
        auth,
        rateLimits(config),
        streamCap(config.SSE_STREAMS_PER_USER),
        revocations,
        daprForward(dapr),
      );
      webRoutes(app, config.WEB_DIR, logger);
    },
    readiness: [dapr.readiness, ...servicesBehind(dapr)],
    onShutdown: [() => dapr.close()],
  });
}

/**
 * Each service the gateway routes to, as a readiness check that only degrades: `/readyz` says
 * which are down (status `degraded`) while the gateway stays in rotation for the rest.
 */
function servicesBehind(dapr: Dapr): ReadinessCheck[] {
  return [...new Set(APIS.map((api) => api.appId))].map((appId) => ({
    name: appId,
    impact: 'degrades',
    check: async () => {
      const response = await dapr.forward(appId, '/readyz', { method: 'GET' });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`its /readyz answered ${response.status}`);
    },
  }));
}
