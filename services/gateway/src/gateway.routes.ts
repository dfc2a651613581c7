import type { Express, RequestHandler } from 'express';
import type { ApiRoute, ServiceApi } from '@flock/kit';
import type { Authenticate } from './gateway.auth.js';
import type { Forward } from './gateway.proxy.js';

export const API_PREFIX = '/api/v1';

/**
 * Mounts every service's public routes under /api/v1: authenticate as the route declares, apply
 * the rate limit (and the cap on open event streams), forward to the owning service by Dapr invocation (same path, prefix removed).
 */
export function gatewayRoutes(
  app: Express,
  apis: readonly ServiceApi[],
  authenticate: Authenticate,
  limit: RequestHandler,
  capStreams: RequestHandler,
  forward: Forward,
): void {
  for (const api of apis) {
    for (const route of api.routes) {
      app[route.method](`${API_PREFIX}${route.path}`, ...chain(route), (req, res) =>
        forward(api.appId, req.originalUrl.slice(API_PREFIX.length), req, res),
      );
    }
  }

  function chain(route: ApiRoute): RequestHandler[] {
    return [
      ...(route.access === 'public' ? [] : [authenticate(route.access === 'auth')]),
      limit,
      ...(route.stream ? [capStreams] : []),
    ];
  }
}
