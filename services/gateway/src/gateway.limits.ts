import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { tooManyRequests, type VerifiedToken } from '@flock/kit';
import type { GatewayConfig } from './gateway.config.js';

const callerOf = (res: { locals: Record<string, unknown> }) =>
  res.locals.caller as VerifiedToken | undefined;

/**
 * One fixed-window limiter (in this gateway instance's memory): signed-in callers by user id,
 * anonymous ones by client address. Answers carry RateLimit-Limit/-Remaining/-Reset; a refusal
 * is a 429 problem with Retry-After.
 */
export function rateLimits(config: GatewayConfig): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: (_req, res) =>
      callerOf(res) ? config.RATE_LIMIT_USER_PER_MINUTE : config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    keyGenerator: (req: Request, res) => {
      const caller = callerOf(res);
      return caller ? `user:${caller.id}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req, _res, next, options) => {
      next(tooManyRequests('Too many requests; slow down.', Math.ceil(options.windowMs / 1000)));
    },
  });
}
