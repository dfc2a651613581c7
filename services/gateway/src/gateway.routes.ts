import type { Express, RequestHandler } from 'express';
import { APP_IDS } from '@flock/kit';
import type { Authenticate } from './gateway.auth.js';
import type { Forward } from './gateway.proxy.js';

export const API_PREFIX = '/api/v1';

type Access = 'public' | 'optional-auth' | 'auth';

interface Route {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Public path under /api/v1; the service receives the same path without the prefix. */
  path: string;
  appId: string;
  access: Access;
}

/** The public API, one line per route: who serves it and who may call it. */
export const ROUTES: readonly Route[] = [
  { method: 'post', path: '/auth/register', appId: APP_IDS.users, access: 'public' },
  { method: 'post', path: '/auth/login', appId: APP_IDS.users, access: 'public' },
  { method: 'get', path: '/users/:id', appId: APP_IDS.users, access: 'optional-auth' },
];

export function gatewayRoutes(app: Express, authenticate: Authenticate, forward: Forward): void {
  for (const route of ROUTES) {
    const handlers: RequestHandler[] = [];
    if (route.access !== 'public') handlers.push(authenticate(route.access === 'auth'));
    handlers.push((req, res) =>
      forward(route.appId, req.originalUrl.slice(API_PREFIX.length), req, res),
    );
    app[route.method](`${API_PREFIX}${route.path}`, ...handlers);
  }
}
