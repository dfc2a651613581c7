import { createHash, randomBytes } from 'node:crypto';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  APP_IDS,
  accessTokenSigner,
  type Dapr,
  type Logger,
} from '@flock/kit';
import { followsClient } from '@flock/follows/client';
import { postsClient } from '@flock/posts/client';
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
  const follows = followsClient(dapr);
  const posts = postsClient(dapr);
  const ask = async <T>(appId: string, counts: Promise<T>): Promise<T | undefined> => {
    try {
      return await counts;
    } catch (error) {
      logger.warn({ err: error, appId }, 'counts unavailable; answering without them');
      return undefined;
    }
  };
  return {
    async countsOf(userId) {
      const [graph, authored] = await Promise.all([
        ask(APP_IDS.follows, follows.counts(userId)),
        ask(APP_IDS.posts, posts.authorCounts(userId)),
      ]);
      return {
        followers: graph?.followers ?? null,
        following: graph?.following ?? null,
        posts: authored?.posts ?? null,
      };
    },
  };
}
