import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import { AppError, tooManyRequests, type ApiRoute } from '@flock/kit';
import { verifiedCaller } from './gateway.auth.js';
import type { GatewayConfig } from './gateway.config.js';

/** The client's address as every limit keys it: an IPv6 client by its /56, which it controls. */
export const clientAddress = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

const byCaller = (req: Request, res: Response) => {
  const caller = verifiedCaller(res);
  return caller ? `user:${caller.id}` : `ip:${clientAddress(req)}`;
};

/**
 * Fixed-window limiters (in this gateway instance's memory). Answers carry
 * RateLimit-Limit/-Remaining/-Reset; a refusal is a 429 problem with Retry-After.
 */
const limiter = (options: Partial<Options>) =>
  rateLimit({
    windowMs: 60_000,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    // The wait is the window's rest, exactly as RateLimit-Reset (set just before) says.
    handler: (_req, res, next) => {
      next(
        tooManyRequests('Too many requests; slow down.', Number(res.getHeader('RateLimit-Reset'))),
      );
    },
    ...options,
  });

/**
 * The limiter of each route. By default one general budget: signed-in callers by user id,
 * anonymous ones — and callers whose token failed, so forgeries are counted too — by address.
 * A route may have a budget of its own instead (ApiRoute.budget): `login` counts failed
 * credential attempts per address, apart from the general budget, so neither starves the other;
 * `email-lookup` counts lookups by email per caller.
 */
export function rateLimits(config: GatewayConfig): (route: ApiRoute) => RequestHandler {
  const general = limiter({
    limit: (_req, res) =>
      verifiedCaller(res)
        ? config.RATE_LIMIT_USER_PER_MINUTE
        : config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
    keyGenerator: byCaller,
  });
  const budgets: Record<NonNullable<ApiRoute['budget']>['name'], RequestHandler> = {
    login: limiter({
      limit: config.RATE_LIMIT_LOGIN_FAILURES_PER_MINUTE,
      skipSuccessfulRequests: true,
      keyGenerator: (req) => `login:${clientAddress(req)}`,
    }),
    'email-lookup': limiter({
      limit: config.RATE_LIMIT_EMAIL_LOOKUPS_PER_MINUTE,
      keyGenerator: (req, res) => `email-lookup:${byCaller(req, res)}`,
    }),
  };
  return (route) => {
    if (!route.budget) return general;
    const own = budgets[route.budget.name];
    const query = route.budget.query;
    if (query === undefined) return own;
    return (req, res, next) => (req.query[query] === undefined ? general : own)(req, res, next);
  };
}

/**
 * Caps the event streams one caller holds open in this gateway instance. A stream lasts until
 * the client leaves, so without a cap one token could hold every descriptor the gateway has.
 */
export function streamCap(perCaller: number): RequestHandler {
  const open = new Map<string, number>();
  return (req, res, next) => {
    const key = byCaller(req, res);
    const count = open.get(key) ?? 0;
    if (count >= perCaller)
      return next(
        new AppError(
          'too-many-streams',
          `At most ${perCaller} open event streams per caller; close one first.`,
          429,
        ),
      );
    open.set(key, count + 1);
    res.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
    next();
  };
}
