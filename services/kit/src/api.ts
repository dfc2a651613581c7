import type { z } from 'zod';

/**
 * A service's public API, declared once next to its schemas. The gateway routes by it, checks
 * tokens by `access`, and generates the OpenAPI document from it; the service validates requests
 * with the same schemas. Paths are Express-style and the same on both sides: the public
 * `/api/v1/posts/:id` reaches the posts service as `/posts/:id`.
 */
export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** `auth`: a valid token is required; `optional-auth`: the caller is known if a token is sent. */
  access: 'public' | 'optional-auth' | 'auth';
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status → response body schema (`null`: no body). Problem responses are added by the gateway. */
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

export interface ServiceApi {
  appId: string;
  /** OpenAPI tag for the service's operations. */
  tag: string;
  routes: readonly ApiRoute[];
}
