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

export async function accessTokenSigner(privateKeyPem: string) {
  const key = await importPKCS8(privateKeyPem, ACCESS_TOKEN_ALG);
  return (user: AuthUser): Promise<string> =>
    new SignJWT({ username: user.username })
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
      if (typeof payload.username !== 'string')
        throw unauthorized('The access token is malformed.');
      return {
        id: payload.sub!,
        username: payload.username,
        tokenId: payload.jti!,
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
