/**
 * Names shared between services, components and the operator. Component files and the
 * operator's renderer use the same strings; change them together.
 */

/** The platform's one pub/sub component. */
export const PUBSUB = 'pubsub';

/** The secret store every service reads (JWT keys, database URLs). */
export const SECRET_STORE = 'secretstore';

/** A service's own state store: `<app-id>-store`, scoped to that app-id. */
export const stateStoreOf = (appId: string) => `${appId}-store`;

export const APP_IDS = {
  gateway: 'gateway',
  users: 'users',
  follows: 'follows',
  posts: 'posts',
  comments: 'comments',
  timeline: 'timeline',
} as const;

export const SECRETS = {
  /** ES256 key pair (PEM) that signs and verifies access tokens. */
  jwtPrivateKey: 'jwt-private-key',
  jwtPublicKey: 'jwt-public-key',
} as const;
