import type { RequestHandler } from 'express';
import { unauthorized, type VerifiedToken } from '@flock/kit';

export type Authenticate = (required: boolean) => RequestHandler;
export type IsRevoked = (token: VerifiedToken) => Promise<boolean>;

/**
 * Verifies `Authorization: Bearer <jwt>` (signature, algorithm, issuer, audience, expiry), then
 * asks whether it was revoked by a logout; records the caller on `res.locals.caller`.
 */
export function bearerAuth(
  verify: (token: string) => Promise<VerifiedToken>,
  isRevoked: IsRevoked,
): Authenticate {
  return (required) => async (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      if (required) throw unauthorized();
      return next();
    }
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(header);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".');
    const token = await verify(match[1]!);
    if (await isRevoked(token)) throw unauthorized('The access token has been revoked.');
    res.locals.caller = token;
    next();
  };
}

/**
 * Revocations live in the users service. Answers are cached: "revoked" until the token would
 * expire anyway, "not revoked" for `cacheMs`, so a logout takes effect everywhere within cacheMs
 * and a busy client costs one lookup per cacheMs, not one per request.
 */
export function cachedRevocations(
  lookup: (tokenId: string) => Promise<boolean>,
  cacheMs: number,
): IsRevoked {
  const cache = new Map<string, { revoked: boolean; until: number }>();
  return async (token) => {
    const now = Date.now();
    const hit = cache.get(token.tokenId);
    if (hit && hit.until > now) return hit.revoked;
    const revoked = await lookup(token.tokenId);
    if (cache.size > 50_000) cache.clear(); // bounded: a flood of distinct tokens cannot grow it
    cache.set(token.tokenId, { revoked, until: revoked ? token.expiresAt * 1000 : now + cacheMs });
    return revoked;
  };
}
