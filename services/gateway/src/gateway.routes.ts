import type { Express, RequestHandler } from 'express';
import { PUBLIC_API_PREFIX, publicRoutes, type ApiRoute, type ServiceApi } from '@flock/kit';
import { verifiedCaller, type Authenticator, type Revocations } from './gateway.auth.js';
import type { Forward } from './gateway.proxy.js';

/**
 * Mounts every service's public routes under PUBLIC_API_PREFIX: identify the caller as the route
 * declares, apply the route's rate limit (before any 401, so bad tokens are counted), require
 * the token, cap open event streams, forward to the owning service by Dapr invocation (same
 * path, prefix removed). A route whose success ends the caller's access makes this gateway
 * forget its cached answers before the client can send another request.
 */
export function gatewayRoutes(
  app: Express,
  apis: readonly ServiceApi[],
  auth: Authenticator,
  limitOf: (route: ApiRoute) => RequestHandler,
  capStreams: RequestHandler,
  revocations: Pick<Revocations, 'forget'>,
  forward: Forward,
): void {
  for (const api of apis) {
    for (const route of publicRoutes(api)) {
      const identified = route.access === 'public' ? [] : [auth.identify];
      const required = route.access === 'public' ? [] : [auth.require(route.access === 'auth')];
      app[route.method](
        `${PUBLIC_API_PREFIX}${route.path}`,
        ...identified,
        limitOf(route),
        ...required,
        ...(route.stream ? [capStreams] : []),
        async (req, res) => {
          await forward(api.appId, req.originalUrl.slice(PUBLIC_API_PREFIX.length), req, res);
          const caller = verifiedCaller(res);
          if (route.ends && caller && res.statusCode < 300)
            revocations.forget({
              userId: caller.id,
              ...(route.ends === 'session' ? { sessionId: caller.sessionId } : {}),
            });
        },
      );
    }
  }
}
