import type { z } from 'zod';

/**
 * One route of a service, declared once next to its schemas. The service mounts its handler by
 * it (`mountApi`, which validates params, query and body with these schemas); the gateway routes
 * by it, checks tokens by `access`, and generates the OpenAPI document from it. Paths are
 * Express-style and the same on both sides: the public `/api/flock/v1/posts/:id` reaches the posts
 * service as `/posts/:id`.
 */
export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /**
   * `auth`: a valid token is required; `optional-auth`: the caller is known if a token is sent;
   * `internal`: for other services by Dapr invocation only, never routed nor documented by the
   * gateway.
   */
  access: 'public' | 'optional-auth' | 'auth' | 'internal';
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /**
   * Status → response body schema (`null`: no body). Problem responses are added by the gateway.
   * A route with one success status answers with it.
   */
  responses: Record<number, z.ZodType | null>;
  /**
   * Answers with an event stream (`text/event-stream`) that stays open; the gateway caps how
   * many of them one caller holds at a time.
   */
  stream?: boolean;
  /** Honours an `Idempotency-Key` header. */
  idempotent?: boolean;
  /**
   * A cursor-paginated list (`?cursor=&limit=`, `nextCursor`, `Link`). Its 200 schema is the
   * schema of one item; the documented body is `{items: [item], nextCursor?}`.
   */
  paginated?: boolean;
  /** List-wide fields a paginated body carries next to `items` (e.g. an unread count). */
  pageExtras?: z.ZodObject;
  /**
   * A tighter rate-limit budget of its own instead of the general one (the gateway sizes each):
   * `login` counts failed credential attempts per client address; `email-lookup` counts lookups
   * per caller. With `query`, only requests carrying that query parameter spend it.
   */
  budget?: { name: 'login' | 'email-lookup'; query?: string };
  /**
   * A success ends the caller's access — its session (logout) or all of its sessions (account
   * deletion) — so the gateway that saw it forgets what it cached about the caller's tokens.
   */
  ends?: 'session' | 'account';
}

export interface ServiceApi<Routes extends Record<string, ApiRoute> = Record<string, ApiRoute>> {
  appId: string;
  /** OpenAPI tag for the service's operations. */
  tag: string;
  /** By operation name: the handler of each is found by the same name. */
  routes: Routes;
}

/** Declares a service's API, keeping each route's own schemas in its type for the handlers. */
export const defineApi = <const Routes extends Record<string, ApiRoute>>(
  api: ServiceApi<Routes>,
): ServiceApi<Routes> => api;

/** The routes the gateway serves and documents: all but the internal ones. */
export const publicRoutes = (api: ServiceApi): ApiRoute[] =>
  Object.values(api.routes).filter((route) => route.access !== 'internal');
