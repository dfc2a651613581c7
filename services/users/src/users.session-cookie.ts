import type { Request, Response } from 'express';
import { parse } from 'cookie';
import { REFRESH_COOKIE_HEADER, badRequest, publicPath, unauthorized } from '@flock/kit';
import { REFRESH_TOKEN_TTL_SECONDS, type Session } from './users.domain.js';

/**
 * A browser keeps its refresh token in an httpOnly cookie instead of script, so every tab of the
 * site shares the session and a script injected into the page cannot read the token. The cookie
 * is scoped to the auth routes (the browser sends it nowhere else), SameSite=Strict and Secure
 * (browsers treat 127.0.0.1 and localhost as secure), and honoured only with the
 * REFRESH_COOKIE_HEADER, which a cross-site page cannot send (docs/security.md). Rotation is
 * unchanged: each refresh spends the cookie's token and sets the next.
 */
const COOKIE = 'flock_refresh';

const cookieMode = (req: Request) => req.get(REFRESH_COOKIE_HEADER) === '1';
/** The cookie's attributes; clearing it must name the same path, or the browser keeps it. */
const attributes = (req: Request) =>
  ({
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: publicPath(req, '/auth'), // the auth routes as the public API names them
  }) as const;

/** The refresh token of this request: the body's, else (in cookie mode) the cookie's. */
export function refreshTokenOf(req: Request, fromBody: string | undefined): string {
  if (fromBody) return fromBody;
  if (!cookieMode(req))
    throw badRequest('A refresh token is required.', [
      { path: 'refreshToken', message: 'Required' },
    ]);
  const token = parse(req.get('cookie') ?? '')[COOKIE];
  if (!token) throw unauthorized('No session cookie: sign in again.');
  return token;
}

/** In cookie mode the new refresh token goes into the cookie and is left out of the body. */
export function answerSession(
  req: Request,
  res: Response,
  session: Session,
): Omit<Session, 'refreshToken'> & { refreshToken?: string } {
  if (!cookieMode(req)) return session;
  res.cookie(COOKIE, session.refreshToken, {
    ...attributes(req),
    maxAge: REFRESH_TOKEN_TTL_SECONDS * 1000,
  });
  const inBody: Partial<Session> = { ...session };
  delete inBody.refreshToken;
  return inBody as Omit<Session, 'refreshToken'>;
}

/** A session that ended (logout, a refused refresh) leaves no cookie behind. */
export function clearSessionCookie(req: Request, res: Response): void {
  if (cookieMode(req)) res.clearCookie(COOKIE, attributes(req));
}
