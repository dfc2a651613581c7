/**
 * Names shared between services, components and the operator. Component files and the
 * operator's renderer use the same strings; change them together.
 */

/** The platform's pub/sub component: each event reaches one instance of each subscribing app. */
export const PUBSUB = 'pubsub';

/**
 * A pub/sub component whose consumer id is unique per instance (`consumerID: "{uuid}"`), so an
 * event reaches EVERY instance of a subscribing app — for pushing to streams held in memory.
 */
export const BROADCAST_PUBSUB = 'broadcast';

/** The topic of the broadcast pub/sub: a notification to push to the reader's open streams. */
export const LIVE_NOTIFICATIONS_TOPIC = 'notification.created';

/**
 * The topic of the broadcast pub/sub on which timeline names the home timelines that just got
 * posts, so the readers' open pages can say "new posts" without polling.
 */
export const LIVE_TIMELINE_TOPIC = 'timeline.updated';

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
  notifications: 'notifications',
  search: 'search',
  analytics: 'analytics',
} as const;

export const SECRETS = {
  /** ES256 key pair (PEM) that signs and verifies access tokens. */
  jwtPrivateKey: 'jwt-private-key',
  jwtPublicKey: 'jwt-public-key',
  /** A Postgres URL for services that use `pg` directly (search). */
  postgresUrl: 'postgres-url',
} as const;
