import type { RequestHandler, Response } from 'express';
import {
  ACCESS_REVOKED_TOPIC,
  AppError,
  BROADCAST_PUBSUB,
  accessRevoked,
  unauthorized,
  type AccessRevoked,
  type Subscription,
  type VerifiedToken,
} from '@flock/kit';

export interface Authenticator {
  /**
   * Verifies a sent `Authorization: Bearer <jwt>` (signature, algorithm, issuer, audience,
   * expiry, then revocation) and records the caller on `res.locals.caller`. A bad token is
   * remembered, not thrown, so the rate limiter counts the request (by address) first.
   */
  identify: RequestHandler;
  /** After the limiter: a bad token is a 401, and so is none where a token is `required`. */
  require(required: boolean): RequestHandler;
}

/** The auth scheme is case-insensitive (RFC 9110 §11.1); one or more spaces follow it. */
const BEARER = /^bearer +([\w-]+\.[\w-]+\.[\w-]*) *$/i;

export function bearerAuth(
  verify: (token: string) => Promise<VerifiedToken>,
  revocations: Pick<Revocations, 'isRevoked'>,
): Authenticator {
  return {
    identify: async (req, res, next) => {
      const header = req.get('authorization');
      if (header === undefined) return next();
      try {
        const match = BEARER.exec(header);
        if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".');
        const token = await verify(match[1]!);
        if (await revocations.isRevoked(token))
          throw unauthorized('The access token has been revoked.');
        res.locals.caller = token;
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 401) throw error;
        res.locals.authError = error;
      }
      next();
    },
    require: (required) => (_req, res, next) => {
      const failure = res.locals.authError as AppError | undefined;
      if (failure) throw failure;
      if (required && !verifiedCaller(res)) throw unauthorized();
      next();
    },
  };
}

export const verifiedCaller = (res: Response) => res.locals.caller as VerifiedToken | undefined;

/** Bounded: a flood of distinct sessions cannot grow the cache past this many. */
const MAX_CACHED = 50_000;

/**
 * Whether a token's session still grants access; the users service knows (a logout, a reused
 * refresh token or a deleted account ends it). Answers are cached — "revoked" until the token
 * would expire anyway, "not revoked" for `cacheMs` — and the cache forgets a user's entries the
 * moment an `access.revoked` notice arrives, or this gateway saw the caller end its own access.
 * So revocation takes effect at once on every gateway; `cacheMs` only bounds a lost notice.
 */
export class Revocations {
  private readonly cache = new Map<string, Map<string, { revoked: boolean; until: number }>>();
  private size = 0;
  /** Bumped by every forget, so a lookup that raced one does not cache its stale answer. */
  private epoch = 0;

  constructor(
    private readonly lookup: (userId: string, sessionId: string) => Promise<boolean>,
    private readonly cacheMs: number,
  ) {}

  async isRevoked(token: VerifiedToken): Promise<boolean> {
    const now = Date.now();
    const hit = this.cache.get(token.id)?.get(token.sessionId);
    if (hit && hit.until > now) return hit.revoked;
    const epoch = this.epoch;
    const revoked = await this.lookup(token.id, token.sessionId);
    if (epoch === this.epoch) {
      if (this.size >= MAX_CACHED) this.clear();
      const sessions = this.cache.get(token.id) ?? new Map();
      this.cache.set(token.id, sessions);
      if (!sessions.has(token.sessionId)) this.size++;
      sessions.set(token.sessionId, {
        revoked,
        until: revoked ? token.expiresAt * 1000 : now + this.cacheMs,
      });
    }
    return revoked;
  }

  /** Forgets what is cached for one session of the user, or (without `sessionId`) all of them. */
  forget({ userId, sessionId }: AccessRevoked): void {
    this.epoch++;
    const sessions = this.cache.get(userId);
    if (!sessions) return;
    if (sessionId === undefined) {
      this.size -= sessions.size;
      this.cache.delete(userId);
    } else if (sessions.delete(sessionId)) {
      this.size--;
    }
  }

  private clear(): void {
    this.cache.clear();
    this.size = 0;
  }
}

/** Every gateway instance hears every notice (the broadcast pub/sub) and forgets accordingly. */
export function revocationNotices(revocations: Revocations): Subscription {
  const subscription: Subscription<AccessRevoked> = {
    topic: ACCESS_REVOKED_TOPIC,
    pubsubName: BROADCAST_PUBSUB,
    schema: accessRevoked,
    async handle(event) {
      revocations.forget(event.data);
    },
  };
  // Safe: the kit validates `data` with this same schema before calling `handle`.
  return subscription as unknown as Subscription;
}
