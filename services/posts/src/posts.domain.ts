import { randomUUID } from 'node:crypto';
import {
  retryOnConflict,
  conflict,
  domainEvent,
  excerpt,
  forbidden,
  newEventId,
  notFound,
  type AuthUser,
  type DomainEvent,
  type EventPayload,
  pageFrom,
  type OffsetPage,
  type Versioned,
  WriteConflict,
} from '@flock/kit';
import type { AuthorCounts, PostView, ReaderPostView } from './client/posts.client.js';
import {
  ANCESTORS_CAP,
  REPLIES_CAP,
  REPLY_CONTEXT_MAX,
  type AuthorStats,
  type BookmarkRecord,
  type BookmarkState,
  type CreatePostInput,
  type DeletedPostRecord,
  type LikeRecord,
  type LikeState,
  type LikeView,
  type PostRecord,
  type StoredPost,
  type ThreadView,
  type TombstoneView,
  type UpdatePostInput,
} from './posts.schemas.js';
import { hashtagsOf, mentionsOf } from './posts.text.js';

export interface ReaderMarks {
  liked: Set<string>;
  bookmarked: Set<string>;
}

/** One write of a unit of work; `etag` absent on a post or stats write means "insert only". */
export type PostWrite =
  | { type: 'post'; post: StoredPost; etag?: string }
  | { type: 'like.insert'; like: LikeRecord }
  | { type: 'like.delete'; postId: string; userId: string }
  | { type: 'bookmark.insert'; bookmark: BookmarkRecord }
  | { type: 'bookmark.delete'; postId: string; userId: string }
  | { type: 'author-stats'; userId: string; stats: AuthorStats; etag?: string }
  | { type: 'idempotency-key'; userId: string; key: string; postId: string };

/** The storage the domain needs; posts.store.ts implements it over Dapr state. */
export interface PostRepository {
  post(id: string): Promise<Versioned<StoredPost> | undefined>;
  /** Many posts in one read; unknown ids are absent from the map. */
  postsMany(ids: readonly string[]): Promise<Map<string, StoredPost>>;
  /** Which of `postIds` `userId` likes and which they bookmarked, in one read. */
  readerMarks(userId: string, postIds: readonly string[]): Promise<ReaderMarks>;
  /** A user's bookmarks, newest first, from the `offset`-th. */
  bookmarksOf(userId: string, offset: number, limit: number): Promise<BookmarkRecord[]>;
  /** Everybody's bookmarks of a post (to remove them with it). */
  bookmarksOfPost(postId: string, limit: number): Promise<BookmarkRecord[]>;
  /** Many authors' stats (with their profile projection) in one read. */
  authorsMany(userIds: readonly string[]): Promise<Map<string, AuthorStats>>;
  like(postId: string, userId: string): Promise<LikeRecord | undefined>;
  authorStats(userId: string): Promise<Versioned<AuthorStats> | undefined>;
  /** The post an idempotency key of this user created within its lifetime (24 h). */
  idempotentPostId(userId: string, key: string): Promise<string | undefined>;
  /** Live posts, newest first, from the `offset`-th. */
  listPosts(offset: number, limit: number): Promise<PostRecord[]>;
  /** Live direct replies to a post, oldest first. */
  listReplies(postId: string, limit: number): Promise<PostRecord[]>;
  /** Likes of a post, newest first, from the `offset`-th. */
  listLikes(postId: string, offset: number, limit: number): Promise<LikeRecord[]>;
  postsByAuthor(authorId: string, limit: number): Promise<PostRecord[]>;
  likesByUser(userId: string, limit: number): Promise<LikeRecord[]>;
  /** Writes and the events they imply, atomically; WriteConflict when an etag or insert lost. */
  commit(writes: readonly PostWrite[], events: readonly DomainEvent[]): Promise<void>;
  /** Applies `plan`'s writes once per event id (a redelivery changes nothing). */
  once(eventId: string, plan: () => Promise<readonly PostWrite[]>): Promise<void>;
}

export interface Clock {
  now(): Date;
}

const BATCH = 50;

const isLive = (post: StoredPost | undefined): post is PostRecord => post?.kind === 'post';

export function toView(post: PostRecord): PostView {
  return {
    id: post.id,
    authorId: post.authorId,
    authorUsername: post.authorUsername,
    text: post.text,
    hashtags: post.hashtags,
    mentions: post.mentions,
    ...(post.inReplyTo ? { inReplyTo: post.inReplyTo } : {}),
    ...(post.inReplyToUsername ? { inReplyToUsername: post.inReplyToUsername } : {}),
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
    likesCount: post.likesCount,
    commentsCount: post.commentsCount,
    repliesCount: post.repliesCount,
  };
}

function toTombstone(post: DeletedPostRecord): TombstoneView {
  return { id: post.id, deleted: true, ...(post.inReplyTo ? { inReplyTo: post.inReplyTo } : {}) };
}

export interface Created {
  post: ReaderPostView;
  /** False when an Idempotency-Key replayed an earlier create. */
  created: boolean;
}

export class PostsDomain {
  constructor(
    private readonly posts: PostRepository,
    private readonly clock: Clock,
  ) {}

  // ---- posts ---------------------------------------------------------------------------------

  create(caller: AuthUser, input: CreatePostInput, idempotencyKey?: string): Promise<Created> {
    return retryOnConflict(async () => {
      if (idempotencyKey !== undefined) {
        const replay = await this.replay(caller.id, idempotencyKey);
        if (replay) return { post: replay, created: false };
      }
      const writes: PostWrite[] = [];
      let parent: PostRecord | undefined;
      if (input.inReplyTo !== undefined) {
        const found = await this.posts.post(input.inReplyTo);
        if (!found || !isLive(found.value))
          throw notFound(`The post ${input.inReplyTo} being replied to does not exist.`);
        parent = found.value;
        writes.push({
          type: 'post',
          post: { ...parent, repliesCount: parent.repliesCount + 1 },
          etag: found.etag,
        });
      }
      const now = this.clock.now().toISOString();
      const id = randomUUID();
      const post: PostRecord = {
        kind: 'post',
        id,
        authorId: caller.id,
        authorUsername: caller.username,
        text: input.text,
        hashtags: hashtagsOf(input.text),
        mentions: mentionsOf(input.text),
        ...(parent ? { inReplyTo: parent.id, inReplyToUsername: parent.authorUsername } : {}),
        createdAt: now,
        updatedAt: now,
        sortKey: `${now}|${id}`,
        likesCount: 0,
        commentsCount: 0,
        repliesCount: 0,
      };
      writes.push({ type: 'post', post }, await this.countWrite(caller.id, +1));
      if (idempotencyKey !== undefined)
        writes.push({
          type: 'idempotency-key',
          userId: caller.id,
          key: idempotencyKey,
          postId: id,
        });
      await this.posts.commit(writes, [
        domainEvent(
          'post.created',
          {
            postId: id,
            authorId: post.authorId,
            text: post.text,
            ...(post.inReplyTo !== undefined ? { inReplyTo: post.inReplyTo } : {}),
            ...(parent ? { inReplyToAuthorId: parent.authorId } : {}),
            hashtags: post.hashtags,
            mentions: post.mentions,
            createdAt: now,
          },
          newEventId(),
        ),
      ]);
      return { post: (await this.asReader([post], caller.id))[0]!, created: true };
    });
  }

  async get(id: string, viewerId?: string): Promise<ReaderPostView> {
    return (await this.asReader([await this.live(id)], viewerId))[0]!;
  }

  /**
   * Many posts as `viewerId` sees them (a timeline page), in the order asked; deleted and unknown
   * ones are left out.
   */
  async batch(ids: readonly string[], viewerId?: string): Promise<ReaderPostView[]> {
    const found = await this.posts.postsMany(ids);
    return this.asReader(ids.map((id) => found.get(id)).filter(isLive), viewerId);
  }

  async list(
    offset: number,
    limit: number,
    viewerId?: string,
  ): Promise<OffsetPage<ReaderPostView>> {
    const page = pageFrom(await this.posts.listPosts(offset, limit + 1), offset, limit, (p) => p);
    return { ...page, items: await this.asReader(page.items, viewerId) };
  }

  async thread(id: string, viewerId?: string): Promise<ThreadView> {
    const post = await this.live(id);
    const ancestors: StoredPost[] = [];
    let parentId = post.inReplyTo;
    while (parentId !== undefined && ancestors.length < ANCESTORS_CAP) {
      const parent = (await this.posts.post(parentId))?.value;
      if (!parent) break;
      ancestors.unshift(parent);
      parentId = parent.inReplyTo;
    }
    const replies = await this.posts.listReplies(id, REPLIES_CAP + 1);
    const shown = replies.slice(0, REPLIES_CAP);
    const read = await this.asReader([...ancestors.filter(isLive), post, ...shown], viewerId);
    const byId = new Map(read.map((p) => [p.id, p]));
    return {
      ancestors: ancestors.map((a) => (isLive(a) ? byId.get(a.id)! : toTombstone(a))),
      post: byId.get(post.id)!,
      replies: shown.map((r) => byId.get(r.id)!),
      repliesTruncated: replies.length > REPLIES_CAP,
    };
  }

  /**
   * Posts as `viewerId` sees them: with the reader's like and bookmark (false for an anonymous
   * reader) and the author's display name now, so every post the API answers carries the
   * reader's own state. Replies carry the words of the posts they answer. Three bulk reads at
   * once, whatever the count: the reader's likes and bookmarks, the authors, the replied-to posts.
   * Nothing is cached: every count and name is as stored now.
   */
  private async asReader(
    posts: readonly PostRecord[],
    viewerId?: string,
  ): Promise<ReaderPostView[]> {
    const ids = posts.map((p) => p.id);
    const parentIds = [...new Set(posts.flatMap((p) => (p.inReplyTo ? [p.inReplyTo] : [])))];
    const [{ liked, bookmarked }, authors, parents] = await Promise.all([
      viewerId === undefined || ids.length === 0
        ? { liked: new Set<string>(), bookmarked: new Set<string>() }
        : this.posts.readerMarks(viewerId, ids),
      this.posts.authorsMany([...new Set(posts.map((p) => p.authorId))]),
      parentIds.length === 0 ? new Map<string, StoredPost>() : this.posts.postsMany(parentIds),
    ]);
    return posts.map((post) => {
      const parent = post.inReplyTo === undefined ? undefined : parents.get(post.inReplyTo);
      return {
        ...toView(post),
        authorDisplayName: authors.get(post.authorId)?.profile?.displayName ?? post.authorUsername,
        likedByMe: liked.has(post.id),
        bookmarkedByMe: bookmarked.has(post.id),
        ...(parent && isLive(parent)
          ? { inReplyToExcerpt: excerpt(parent.text, REPLY_CONTEXT_MAX) }
          : {}),
      };
    });
  }

  update(caller: AuthUser, id: string, input: UpdatePostInput): Promise<ReaderPostView> {
    return retryOnConflict(async () => {
      const { value: post, etag } = await this.liveVersioned(id);
      if (post.authorId !== caller.id) throw forbidden('Only the author may edit a post.');
      const at = this.clock.now().toISOString();
      const updated: PostRecord = {
        ...post,
        text: input.text,
        hashtags: hashtagsOf(input.text),
        mentions: mentionsOf(input.text),
        updatedAt: at,
      };
      await this.posts.commit(
        [{ type: 'post', post: updated, etag }],
        [
          domainEvent(
            'post.updated',
            {
              postId: id,
              authorId: post.authorId,
              text: updated.text,
              hashtags: updated.hashtags,
              mentions: updated.mentions,
              at,
            },
            newEventId(),
          ),
        ],
      );
      return (await this.asReader([updated], caller.id))[0]!;
    });
  }

  async remove(caller: AuthUser, id: string): Promise<void> {
    const post = await this.live(id);
    if (post.authorId !== caller.id) throw forbidden('Only the author may delete a post.');
    await this.deletePost(id);
  }

  // ---- likes ---------------------------------------------------------------------------------

  like(caller: AuthUser, postId: string): Promise<LikeState> {
    return retryOnConflict(async () => {
      const { value: post, etag } = await this.liveVersioned(postId);
      if (await this.posts.like(postId, caller.id))
        return { postId, liked: true, likesCount: post.likesCount };
      const at = this.clock.now().toISOString();
      const likesCount = post.likesCount + 1;
      await this.posts.commit(
        [
          {
            type: 'like.insert',
            like: {
              kind: 'like',
              postId,
              userId: caller.id,
              likedAt: at,
              sortKey: `${at}|${caller.id}`,
            },
          },
          { type: 'post', post: { ...post, likesCount }, etag },
        ],
        [likeEvent('like.created', post, caller.id, at)],
      );
      return { postId, liked: true, likesCount };
    });
  }

  unlike(caller: AuthUser, postId: string): Promise<LikeState> {
    return retryOnConflict(async () => {
      const { value: post } = await this.liveVersioned(postId);
      if (!(await this.posts.like(postId, caller.id)))
        return { postId, liked: false, likesCount: post.likesCount };
      const likesCount = await this.removeLike(postId, caller.id);
      return { postId, liked: false, likesCount: likesCount ?? 0 };
    });
  }

  async likes(postId: string, offset: number, limit: number): Promise<OffsetPage<LikeView>> {
    await this.live(postId);
    const found = await this.posts.listLikes(postId, offset, limit + 1);
    return pageFrom(found, offset, limit, (like) => ({
      userId: like.userId,
      likedAt: like.likedAt,
    }));
  }

  // ---- bookmarks -----------------------------------------------------------------------------

  /** Bookmarks a live post; bookmarking twice is one bookmark. */
  async bookmark(caller: AuthUser, postId: string): Promise<BookmarkState> {
    await this.live(postId);
    if (!(await this.posts.readerMarks(caller.id, [postId])).bookmarked.has(postId)) {
      const at = this.clock.now().toISOString();
      const bookmark: BookmarkRecord = {
        kind: 'bookmark',
        postId,
        userId: caller.id,
        bookmarkedAt: at,
        sortKey: `${at}|${postId}`,
      };
      // Two at once: the second insert loses, and the bookmark is there either way.
      await this.posts.commit([{ type: 'bookmark.insert', bookmark }], []).catch((error) => {
        if (!(error instanceof WriteConflict)) throw error;
      });
    }
    return { postId, bookmarked: true };
  }

  /** Takes a bookmark away, also of a post deleted since; a no-op without one. */
  async unbookmark(caller: AuthUser, postId: string): Promise<BookmarkState> {
    await this.posts.commit([{ type: 'bookmark.delete', postId, userId: caller.id }], []);
    return { postId, bookmarked: false };
  }

  /** The caller's bookmarked posts, newest bookmark first; posts deleted since are left out. */
  async bookmarks(
    caller: AuthUser,
    offset: number,
    limit: number,
  ): Promise<OffsetPage<ReaderPostView>> {
    const page = pageFrom(
      await this.posts.bookmarksOf(caller.id, offset, limit + 1),
      offset,
      limit,
      (b) => b.postId,
    );
    const found = await this.posts.postsMany(page.items);
    const live = page.items.map((id) => found.get(id)).filter(isLive);
    return { ...page, items: await this.asReader(live, caller.id) };
  }

  async authorCounts(userId: string): Promise<AuthorCounts> {
    return { posts: (await this.posts.authorStats(userId))?.value.posts ?? 0 };
  }

  // ---- reactions to other services' events ---------------------------------------------------

  /** user.registered / user.updated: the author's display name, once per event, newest wins. */
  async authorProfile(
    eventId: string,
    userId: string,
    displayName: string,
    at: string,
  ): Promise<void> {
    await this.posts.once(eventId, async () => {
      const stats = await this.posts.authorStats(userId);
      const current = stats?.value.profile;
      if (current && current.at >= at) return []; // a newer change is already applied
      return [
        {
          type: 'author-stats',
          userId,
          stats: { posts: stats?.value.posts ?? 0, profile: { displayName, at } },
          ...(stats ? { etag: stats.etag } : {}),
        },
      ];
    });
  }

  /** comment.created / comment.deleted move the post's commentsCount, once per event. */
  async countComment(eventId: string, postId: string, delta: 1 | -1): Promise<void> {
    await this.posts.once(eventId, async () => {
      const current = await this.posts.post(postId);
      if (!current || !isLive(current.value)) return []; // the post is gone: nothing to count
      const commentsCount = Math.max(0, current.value.commentsCount + delta);
      return [{ type: 'post', post: { ...current.value, commentsCount }, etag: current.etag }];
    });
  }

  /**
   * user.deleted: every post of the user goes (post.deleted each), every like of the user goes
   * (like.deleted each, counts adjusted), and their bookmarks. Idempotent by construction: a
   * redelivery finds nothing left to delete and publishes nothing.
   */
  async removeUser(userId: string): Promise<{ posts: number; likes: number; bookmarks: number }> {
    let posts = 0;
    let likes = 0;
    for (;;) {
      const batch = await this.posts.postsByAuthor(userId, BATCH);
      for (const post of batch) if (await this.deletePost(post.id)) posts++;
      if (batch.length < BATCH) break;
    }
    for (;;) {
      const batch = await this.posts.likesByUser(userId, BATCH);
      for (const like of batch) {
        await retryOnConflict(() => this.removeLike(like.postId, userId));
        likes++;
      }
      if (batch.length < BATCH) break;
    }
    const bookmarks = await this.drain(
      () => this.posts.bookmarksOf(userId, 0, BATCH),
      (bookmark) => ({ type: 'bookmark.delete', postId: bookmark.postId, userId }),
    );
    return { posts, likes, bookmarks };
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Returns the first post of an idempotency key; 409 if that post has since been deleted. */
  private async replay(userId: string, key: string): Promise<ReaderPostView | undefined> {
    const postId = await this.posts.idempotentPostId(userId, key);
    if (postId === undefined) return undefined;
    const post = (await this.posts.post(postId))?.value;
    if (!isLive(post))
      throw conflict('The post created with this Idempotency-Key has since been deleted.');
    return (await this.asReader([post], userId))[0];
  }

  private async countWrite(userId: string, delta: 1 | -1): Promise<PostWrite> {
    const stats = await this.posts.authorStats(userId);
    return {
      type: 'author-stats',
      userId,
      stats: { ...stats?.value, posts: Math.max(0, (stats?.value.posts ?? 0) + delta) },
      ...(stats ? { etag: stats.etag } : {}),
    };
  }

  /**
   * Replaces a post by its tombstone (post.deleted), adjusts the parent's repliesCount and the
   * author's count in the same transaction, then removes the post's likes in batches (their
   * like.deleted events are implied by post.deleted and not published). False if already gone.
   */
  private async deletePost(id: string): Promise<boolean> {
    const deleted = await retryOnConflict(async () => {
      const current = await this.posts.post(id);
      if (!current || !isLive(current.value)) return false;
      const post = current.value;
      const at = this.clock.now().toISOString();
      const tombstone: DeletedPostRecord = {
        kind: 'post-deleted',
        id,
        authorId: post.authorId,
        ...(post.inReplyTo !== undefined ? { inReplyTo: post.inReplyTo } : {}),
        createdAt: post.createdAt,
        deletedAt: at,
        sortKey: post.sortKey,
      };
      const writes: PostWrite[] = [{ type: 'post', post: tombstone, etag: current.etag }];
      if (post.inReplyTo !== undefined) {
        const parent = await this.posts.post(post.inReplyTo);
        if (parent && isLive(parent.value))
          writes.push({
            type: 'post',
            post: { ...parent.value, repliesCount: Math.max(0, parent.value.repliesCount - 1) },
            etag: parent.etag,
          });
      }
      writes.push(await this.countWrite(post.authorId, -1));
      await this.posts.commit(writes, [
        domainEvent('post.deleted', { postId: id, authorId: post.authorId, at }, newEventId()),
      ]);
      return true;
    });
    await this.drain(
      () => this.posts.listLikes(id, 0, BATCH),
      (like) => ({ type: 'like.delete', postId: id, userId: like.userId }),
    );
    await this.drain(
      () => this.posts.bookmarksOfPost(id, BATCH),
      (bookmark) => ({ type: 'bookmark.delete', postId: id, userId: bookmark.userId }),
    );
    return deleted;
  }

  /** Deletes what `next` lists, one transaction a batch, until it lists less than a batch. */
  private async drain<T>(next: () => Promise<T[]>, remove: (item: T) => PostWrite) {
    let removed = 0;
    for (;;) {
      const batch = await next();
      if (batch.length > 0) await this.posts.commit(batch.map(remove), []);
      removed += batch.length;
      if (batch.length < BATCH) return removed;
    }
  }

  /** Removes one like; on a live post with its count and like.deleted. Returns the new count. */
  private async removeLike(postId: string, userId: string): Promise<number | undefined> {
    const current = await this.posts.post(postId);
    const remove: PostWrite = { type: 'like.delete', postId, userId };
    if (!current || !isLive(current.value)) {
      await this.posts.commit([remove], []); // a leftover of a deleted post
      return undefined;
    }
    const post = current.value;
    const likesCount = Math.max(0, post.likesCount - 1);
    const at = this.clock.now().toISOString();
    await this.posts.commit(
      [remove, { type: 'post', post: { ...post, likesCount }, etag: current.etag }],
      [likeEvent('like.deleted', post, userId, at)],
    );
    return likesCount;
  }

  private async live(id: string): Promise<PostRecord> {
    return (await this.liveVersioned(id)).value;
  }

  private async liveVersioned(id: string): Promise<Versioned<PostRecord>> {
    const found = await this.posts.post(id);
    if (!found || !isLive(found.value)) throw notFound(`Post ${id} does not exist.`);
    return { value: found.value, etag: found.etag };
  }
}

function likeEvent(
  topic: 'like.created' | 'like.deleted',
  post: PostRecord,
  userId: string,
  at: string,
): DomainEvent {
  const data: EventPayload<typeof topic> = {
    postId: post.id,
    postAuthorId: post.authorId,
    userId,
    at,
  };
  return domainEvent(topic, data, newEventId());
}
