import type { RequestHandler } from 'express';
import { unauthorized, type VerifiedToken } from '@flock/kit';

export type Authenticate = (required: boolean) => RequestHandler;

/** Verifies `Authorization: Bearer <jwt>` and records the caller on `res.locals.caller`. */
export function bearerAuth(verify: (token: string) => Promise<VerifiedToken>): Authenticate {
  return (required) => async (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      if (required) throw unauthorized();
      return next();
    }
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(header);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".');
    res.locals.caller = await verify(match[1]!);
    next();
  };
}
