import type { Request } from 'express';

/**
 * Where Flock's own API is served on the gateway. Its own prefix, as Pleroma keeps
 * `/api/pleroma`: the instance root's `/api/v1`, `/api/v2`, `/oauth` and `/.well-known` are
 * the Mastodon client API's (docs/api.md, "URL space").
 */
export const PUBLIC_API_PREFIX = '/api/flock/v1';

/** The gateway tells services the public path prefix, so links point at the public API. */
export const FORWARDED_PREFIX_HEADER = 'x-forwarded-prefix';

/** `path` (a service's own, e.g. `/posts/1`) as the public API names it, for links and cookies. */
export function publicPath(req: Request, path: string): string {
  return `${req.get(FORWARDED_PREFIX_HEADER) ?? ''}${path}`;
}
