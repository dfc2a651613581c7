import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import {
  SignJWT,
  errors as joseErrors,
  importPKCS8,
  importSPKI,
  jwtVerify,
  type CryptoKey,
} from 'jose';
import { z } from 'zod';
import { unauthorized } from './errors.js';

/**
 * Access tokens are ES256 JWTs: users signs with the private key, the gateway verifies with the
 * public key, so no service but users can mint one. Both keys come from the Dapr secret store.
 */
export const ACCESS_TOKEN_ALG = 'ES256';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ISSUER = 'flock';
const AUDIENCE = 'flock-api';

export interface AuthUser {
  id: string;
  username: string;
}

/** Headers the gateway sets after verifying a token; it strips any a client sent. */
export const USER_ID_HEADER = 'x-flock-user-id';
export const USERNAME_HEADER = 'x-flock-username';
/** The session (login) the verified token belongs to: logout ends exactly it. */
export const SESSION_ID_HEADER = 'x-flock-session-id';
/** The client's address as the gateway keys its limits (an IPv6 client by its /56). */
export const CLIENT_ADDRESS_HEADER = 'x-flock-client-address';
/**
 * Sent by a browser client that keeps its refresh token in the httpOnly session cookie rather
 * than in script: a cross-site form cannot set it, and a cross-site fetch needs a preflight the
 * gateway never grants, so the cookie is only ever honoured on the client's own requests.
 */
export const REFRESH_COOKIE_HEADER = 'x-flock-refresh-cookie';

/**
 * Broadcast to every gateway instance when access ends before tokens expire: a logout or a
 * reused refresh token ends one session, a deleted account ends all of the user's. It is only a
 * hint to forget cached answers; the users service stays the one that knows, so a lost or forged
 * notice cannot grant or deny anyone anything.
 */
export const ACCESS_REVOKED_TOPIC = 'access.revoked';
export const accessRevoked = z.object({
  userId: z.string().min(1),
  /** Absent: every session of the user. */
  sessionId: z.string().min(1).optional(),
});
export type AccessRevoked = z.infer<typeof accessRevoked>;

export async function accessTokenSigner(privateKeyPem: string) {
  const key = await importPKCS8(privateKeyPem, ACCESS_TOKEN_ALG);
  /** Every access token names its session (`sid`), the family refresh tokens rotate within. */
  return (user: AuthUser, sessionId: string): Promise<string> =>
    new SignJWT({ username: user.username, sid: sessionId })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: 'JWT' })
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(key);
}

export interface VerifiedToken extends AuthUser {
  tokenId: string;
  sessionId: string;
  expiresAt: number;
}

export async function accessTokenVerifier(publicKeyPem: string) {
  const key: CryptoKey = await importSPKI(publicKeyPem, ACCESS_TOKEN_ALG);
  return async (token: string): Promise<VerifiedToken> => {
    try {
      // Pinning the algorithm rejects `alg: none` and HMAC-with-the-public-key forgeries.
      const { payload } = await jwtVerify(token, key, {
        algorithms: [ACCESS_TOKEN_ALG],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'jti', 'exp'],
      });
      if (typeof payload.username !== 'string' || typeof payload.sid !== 'string')
        throw unauthorized('The access token is malformed.');
      return {
        id: payload.sub!,
        username: payload.username,
        tokenId: payload.jti!,
        sessionId: payload.sid,
        expiresAt: payload.exp!,
      };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw unauthorized('The access token has expired.');
      if (error instanceof joseErrors.JOSEError) throw unauthorized('The access token is invalid.');
      throw error;
    }
  };
}

/** The caller as vouched for by the gateway; undefined for anonymous calls. */
export function callerOf(req: Request): AuthUser | undefined {
  const id = req.get(USER_ID_HEADER);
  const username = req.get(USERNAME_HEADER);
  return id && username ? { id, username } : undefined;
}

export function requireCaller(req: Request): AuthUser {
  const caller = callerOf(req);
  if (!caller) throw unauthorized();
  return caller;
}
