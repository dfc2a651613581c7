import { createHash, randomBytes } from 'node:crypto';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  APP_IDS,
  accessTokenSigner,
  type Dapr,
  type Logger,
} from '@flock/kit';
import type { CountsSource, TokenIssuer } from './users.domain.js';

export async function tokenIssuer(privateKeyPem: string): Promise<TokenIssuer> {
  const sign = await accessTokenSigner(privateKeyPem);
  const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
  return {
    accessToken: sign,
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    refreshToken() {
      const token = randomBytes(32).toString('base64url');
      return { token, hash: hashOf(token) };
    },
    hashOf,
  };
}

/** Follower/following counts from follows, post counts from posts, asked in parallel. */
export function invokedCounts(dapr: Dapr, logger: Logger): CountsSource {
  const ask = async <T>(appId: string, userId: string): Promise<T | undefined> => {
    try {
      return await dapr.invokeUnchecked<T>(appId, `internal/users/${userId}/counts`);
    } catch (error) {
      logger.warn({ err: error, appId }, 'counts unavailable; answering without them');
      return undefined;
    }
  };
  return {
    async countsOf(userId) {
      const [graph, posts] = await Promise.all([
        ask<{ followers: number; following: number }>(APP_IDS.follows, userId),
        ask<{ posts: number }>(APP_IDS.posts, userId),
      ]);
      return {
        followers: graph?.followers ?? null,
        following: graph?.following ?? null,
        posts: posts?.posts ?? null,
      };
    },
  };
}
