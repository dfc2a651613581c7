import { createHash } from 'node:crypto';
import {
  consumeOnce,
  type DomainEvent,
  type Outbox,
  type StateQuery,
  type StateStore,
  type TransactionOperation,
  guardedUpsert,
  type Versioned,
} from '@flock/kit';
import { type PostRepository, type PostWrite, type ReaderMarks } from './posts.domain.js';
import type {
  AuthorStats,
  BookmarkRecord,
  LikeRecord,
  PostRecord,
  StoredPost,
} from './posts.schemas.js';

/**
 * Key layout of the posts store (one Dapr state store, scoped to the posts app):
 *   post:<postId>                  PostRecord, or its DeletedPostRecord tombstone
 *   like:<postId>:<userId>         LikeRecord (insert-only: a second like of the same user fails)
 *   bookmark:<userId>:<postId>     BookmarkRecord (insert-only, private to the user)
 *   author:<userId>                AuthorStats: post count (moved in the post's transaction) and
 *                                  the display name projected from user.registered / user.updated
 *   idem:<userId>:<sha256(key)>    {postId}, insert-only, TTL 24 h (Idempotency-Key)
 *   processed:<eventId>            consumeOnce markers; outbox:<slot> the kit's outbox
 * Listings use the state query API over the documents' `kind` and `sortKey` fields, paged by
 * offset (see the kit's offsetCursor: daprd's Postgres v1 query cannot filter a range).
 */
const postKey = (id: string) => `post:${id}`;
const likeKey = (postId: string, userId: string) => `like:${postId}:${userId}`;
const bookmarkKey = (userId: string, postId: string) => `bookmark:${userId}:${postId}`;
const authorKey = (userId: string) => `author:${userId}`;
const idempotencyKey = (userId: string, key: string) =>
  `idem:${userId}:${createHash('sha256').update(key).digest('hex')}`;

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

interface IdempotencyRecord {
  postId: string;
}

type Filter = Record<string, unknown>;
const eq = (key: string, value: unknown): Filter => ({ EQ: { [key]: value } });
const and = (...filters: Filter[]): Filter => ({ AND: filters });

export class DaprPostRepository implements PostRepository {
  constructor(
    private readonly state: StateStore,
    private readonly outbox: Outbox,
  ) {}

  async post(id: string): Promise<Versioned<StoredPost> | undefined> {
    return this.state.get<StoredPost>(postKey(id));
  }

  async postsMany(ids: readonly string[]): Promise<Map<string, StoredPost>> {
    return valuesById(await this.state.getMany<StoredPost>(ids.map(postKey)), ids, postKey);
  }

  async readerMarks(userId: string, postIds: readonly string[]): Promise<ReaderMarks> {
    const likes = postIds.map((postId) => likeKey(postId, userId));
    const bookmarks = postIds.map((postId) => bookmarkKey(userId, postId));
    const found = await this.state.getMany<unknown>([...likes, ...bookmarks]);
    const present = (keys: string[]) => new Set(postIds.filter((_, i) => found.has(keys[i]!)));
    return { liked: present(likes), bookmarked: present(bookmarks) };
  }

  bookmarksOf(userId: string, offset: number, limit: number): Promise<BookmarkRecord[]> {
    return this.query<BookmarkRecord>(
      and(eq('kind', 'bookmark'), eq('userId', userId)),
      'DESC',
      limit,
      offset,
    );
  }

  async authorsMany(userIds: readonly string[]): Promise<Map<string, AuthorStats>> {
    return valuesById(
      await this.state.getMany<AuthorStats>(userIds.map(authorKey)),
      userIds,
      authorKey,
    );
  }

  async like(postId: string, userId: string): Promise<LikeRecord | undefined> {
    return (await this.state.get<LikeRecord>(likeKey(postId, userId)))?.value;
  }

  async authorStats(userId: string): Promise<Versioned<AuthorStats> | undefined> {
    return this.state.get<AuthorStats>(authorKey(userId));
  }

  async idempotentPostId(userId: string, key: string): Promise<string | undefined> {
    return (await this.state.get<IdempotencyRecord>(idempotencyKey(userId, key)))?.value.postId;
  }

  listPosts(offset: number, limit: number): Promise<PostRecord[]> {
    return this.query<PostRecord>(eq('kind', 'post'), 'DESC', limit, offset);
  }

  listReplies(postId: string, limit: number): Promise<PostRecord[]> {
    return this.query<PostRecord>(and(eq('kind', 'post'), eq('inReplyTo', postId)), 'ASC', limit);
  }

  listLikes(postId: string, offset: number, limit: number): Promise<LikeRecord[]> {
    return this.query<LikeRecord>(
      and(eq('kind', 'like'), eq('postId', postId)),
      'DESC',
      limit,
      offset,
    );
  }

  bookmarksOfPost(postId: string, limit: number): Promise<BookmarkRecord[]> {
    return this.query<BookmarkRecord>(
      and(eq('kind', 'bookmark'), eq('postId', postId)),
      'ASC',
      limit,
    );
  }

  postsByAuthor(authorId: string, limit: number): Promise<PostRecord[]> {
    return this.query<PostRecord>(and(eq('kind', 'post'), eq('authorId', authorId)), 'ASC', limit);
  }

  likesByUser(userId: string, limit: number): Promise<LikeRecord[]> {
    return this.query<LikeRecord>(and(eq('kind', 'like'), eq('userId', userId)), 'ASC', limit);
  }

  async commit(writes: readonly PostWrite[], events: readonly DomainEvent[]): Promise<void> {
    await this.outbox.commit(writes.map(toOperation), events);
  }

  async once(eventId: string, plan: () => Promise<readonly PostWrite[]>): Promise<void> {
    await consumeOnce(this.state, eventId, async () => (await plan()).map(toOperation));
  }

  /** Items by sort key from the `offset`-th (the query's page token is that offset). */
  private async query<T>(
    filter: Filter,
    order: 'ASC' | 'DESC',
    limit: number,
    offset = 0,
  ): Promise<T[]> {
    const query: StateQuery = {
      filter,
      sort: [{ key: 'sortKey', order }],
      page: { limit, ...(offset > 0 ? { token: String(offset) } : {}) },
    };
    return (await this.state.query<T>(query)).results.map((r) => r.value);
  }
}

/** A bulk read keyed by store key, re-keyed by the ids it was asked for. */
function valuesById<T>(
  found: Map<string, { value: T }>,
  ids: readonly string[],
  keyOf: (id: string) => string,
): Map<string, T> {
  const byId = new Map<string, T>();
  for (const id of ids) {
    const item = found.get(keyOf(id));
    if (item) byId.set(id, item.value);
  }
  return byId;
}

function toOperation(write: PostWrite): TransactionOperation {
  switch (write.type) {
    case 'post':
      return guardedUpsert(postKey(write.post.id), write.post, write.etag);
    case 'like.insert':
      return guardedUpsert(likeKey(write.like.postId, write.like.userId), write.like, undefined);
    case 'like.delete':
      return { operation: 'delete', key: likeKey(write.postId, write.userId) };
    case 'bookmark.insert':
      return guardedUpsert(
        bookmarkKey(write.bookmark.userId, write.bookmark.postId),
        write.bookmark,
        undefined,
      );
    case 'bookmark.delete':
      return { operation: 'delete', key: bookmarkKey(write.userId, write.postId) };
    case 'author-stats':
      return guardedUpsert(authorKey(write.userId), write.stats, write.etag);
    case 'idempotency-key':
      return {
        operation: 'upsert',
        key: idempotencyKey(write.userId, write.key),
        value: { postId: write.postId } satisfies IdempotencyRecord,
        concurrency: 'first-write',
        ttlInSeconds: IDEMPOTENCY_TTL_SECONDS,
      };
  }
}
