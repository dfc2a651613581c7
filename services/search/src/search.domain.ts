import { unauthorized, type AuthUser } from '@flock/kit';
import type { PostHit, TagHit, UserHit } from './search.schemas.js';
import type { IndexWriter } from './search.store.js';

/** A page of results and, when more follow, where the next page starts. */
export interface Page<T, P> {
  items: T[];
  next?: P;
}

export type UsersAfter = { u: string; i: string } | { s: number; i: string };
export type PostsAfter = { r: number; t: string; i: string };
export type TimeAfter = { t: string; i: string };
export type TagsAfter = { g: string };

export interface UserFilter {
  /** Exact or prefix match on the username. */
  username?: string;
  /** Exact match on the email address (indexed when events carry it). */
  email?: string;
  /** Fuzzy (trigram) match over usernames; exact and prefix matches rank first. */
  q?: string;
}

export interface IndexedUser {
  userId: string;
  username: string;
  email?: string;
  displayName?: string;
  at: string;
}

export interface IndexedPost {
  postId: string;
  authorId: string;
  text: string;
  hashtags: string[];
}

/** What search needs from its index; search.store.ts implements it over Postgres. */
export interface SearchIndex {
  users(filter: UserFilter, limit: number, after?: UsersAfter): Promise<Page<UserHit, UsersAfter>>;
  posts(q: string, limit: number, after?: PostsAfter): Promise<Page<PostHit, PostsAfter>>;
  postsTagged(tag: string, limit: number, after?: TimeAfter): Promise<Page<PostHit, TimeAfter>>;
  tags(prefix: string, limit: number, after?: TagsAfter): Promise<Page<TagHit, TagsAfter>>;
  /** Runs `apply` once per event id: a redelivery returns 'duplicate' and writes nothing. */
  applyOnce(
    eventId: string,
    topic: string,
    apply: (tx: IndexWriter) => Promise<void>,
  ): Promise<'applied' | 'duplicate'>;
}

/**
 * Search rules: usernames and emails are stored lower-case, so matching is case-insensitive;
 * hashtags are matched without `#`, lower-case. Deleted users and posts (and the posts of deleted
 * users) never appear: the index keeps them only as tombstones.
 */
export class SearchDomain {
  constructor(private readonly index: SearchIndex) {}

  /**
   * Usernames are public; email addresses are not. A lookup by email finds only an exact match,
   * and only for a signed-in caller (the gateway gives email lookups a small budget of their
   * own), so nobody can recover an address by trying prefixes or sweep addresses anonymously.
   */
  users(caller: AuthUser | undefined, filter: UserFilter, limit: number, after?: UsersAfter) {
    if (filter.email !== undefined && !caller)
      throw unauthorized('Searching users by email address needs a signed-in caller.');
    const lower = (value: string | undefined) => value?.toLowerCase();
    return this.index.users(
      {
        ...(filter.username === undefined ? {} : { username: lower(filter.username) }),
        ...(filter.email === undefined ? {} : { email: lower(filter.email) }),
        ...(filter.q === undefined ? {} : { q: lower(filter.q) }),
      },
      limit,
      after,
    );
  }

  posts(q: string, limit: number, after?: PostsAfter) {
    return this.index.posts(q, limit, after);
  }

  postsTagged(tag: string, limit: number, after?: TimeAfter) {
    return this.index.postsTagged(tag, limit, after);
  }

  tags(prefix: string, limit: number, after?: TagsAfter) {
    return this.index.tags(prefix, limit, after);
  }

  userRegistered(eventId: string, user: IndexedUser) {
    return this.index.applyOnce(eventId, 'user.registered', (tx) =>
      tx.userRegistered(normalUser(user)),
    );
  }

  userUpdated(eventId: string, user: IndexedUser) {
    return this.index.applyOnce(eventId, 'user.updated', (tx) => tx.userUpdated(normalUser(user)));
  }

  userDeleted(eventId: string, userId: string, at: string) {
    return this.index.applyOnce(eventId, 'user.deleted', (tx) => tx.userDeleted(userId, at));
  }

  postCreated(eventId: string, post: IndexedPost, createdAt: string) {
    return this.index.applyOnce(eventId, 'post.created', (tx) =>
      tx.postCreated(normalPost(post), createdAt),
    );
  }

  postUpdated(eventId: string, post: IndexedPost, at: string) {
    return this.index.applyOnce(eventId, 'post.updated', (tx) =>
      tx.postUpdated(normalPost(post), at),
    );
  }

  postDeleted(eventId: string, postId: string, authorId: string, at: string) {
    return this.index.applyOnce(eventId, 'post.deleted', (tx) =>
      tx.postDeleted(postId, authorId, at),
    );
  }
}

const normalUser = (user: IndexedUser): IndexedUser => ({
  ...user,
  username: user.username.toLowerCase(),
  ...(user.email === undefined ? {} : { email: user.email.toLowerCase() }),
});

const normalPost = (post: IndexedPost): IndexedPost => ({
  ...post,
  hashtags: [...new Set(post.hashtags.map((tag) => tag.replace(/^#/, '').toLowerCase()))],
});
