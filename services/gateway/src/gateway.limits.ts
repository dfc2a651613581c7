import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError, tooManyRequests, type VerifiedToken } from '@flock/kit';
import type { GatewayConfig } from './gateway.config.js';

const callerOf = (res: { locals: Record<string, unknown> }) =>
  res.locals.caller as VerifiedToken | undefined;

/** Signed-in callers by user id, anonymous ones by client address. */
const callerKey = (req: Request, res: { locals: Record<string, unknown> }) => {
  const caller = callerOf(res);
  return caller ? `user:${caller.id}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
};

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
    keyGenerator: callerKey,
    // The wait is the window's rest, exactly as RateLimit-Reset (set just before) says.
    handler: (_req, res, next) => {
      next(
        tooManyRequests('Too many requests; slow down.', Number(res.getHeader('RateLimit-Reset'))),
      );
    },
  });
}

/**
 * Caps the event streams one caller holds open in this gateway instance. A stream lasts until
 * the client leaves, so without a cap one token could hold every descriptor the gateway has.
 */
export function streamCap(perCaller: number): RequestHandler {
  const open = new Map<string, number>();
  return (req, res, next) => {
    const key = callerKey(req, res);
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
