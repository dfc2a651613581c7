import { randomUUID } from 'node:crypto';
import {
  retryOnConflict,
  domainEvent,
  forbidden,
  newEventId,
  notFound,
  type AuthUser,
  type DomainEvent,
  pageFrom,
  type OffsetPage,
  type Versioned,
} from '@flock/kit';
import type {
  CommentInput,
  CommentRecord,
  CommentView,
  PostRefRecord,
} from './comments.schemas.js';

/** One write of a unit of work; without `etag` an upsert inserts only. */
export type CommentWrite =
  | { type: 'comment'; comment: CommentRecord; etag?: string }
  | { type: 'comment.delete'; commentId: string; etag?: string }
  | { type: 'post-ref'; ref: PostRefRecord; etag?: string };

/** The storage the domain needs; comments.store.ts implements it over Dapr state. */
export interface CommentRepository {
  comment(id: string): Promise<Versioned<CommentRecord> | undefined>;
  postRef(postId: string): Promise<Versioned<PostRefRecord> | undefined>;
  /** A post's comments, oldest first, from the `offset`-th. */
  listByPost(postId: string, offset: number, limit: number): Promise<CommentRecord[]>;
  listByAuthor(authorId: string, limit: number): Promise<CommentRecord[]>;
  /** Writes and the events they imply, atomically; WriteConflict when an etag or insert lost. */
  commit(writes: readonly CommentWrite[], events: readonly DomainEvent[]): Promise<void>;
}

/** The posts service, as comments needs it. */
export interface PostDirectory {
  /** The author of a live post; throws a 404 AppError when the post does not exist. */
  authorOf(postId: string): Promise<string>;
}

export interface Clock {
  now(): Date;
}

const BATCH = 50;

export function toView(comment: CommentRecord): CommentView {
  return {
    id: comment.id,
    postId: comment.postId,
    authorId: comment.authorId,
    authorUsername: comment.authorUsername,
    text: comment.text,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
  };
}

const postGone = (postId: string) => notFound(`Post ${postId} does not exist.`);

export class CommentsDomain {
  constructor(
    private readonly comments: CommentRepository,
    private readonly posts: PostDirectory,
    private readonly clock: Clock,
  ) {}

  create(caller: AuthUser, postId: string, input: CommentInput): Promise<CommentView> {
    return retryOnConflict(async () => {
      const ref = await this.comments.postRef(postId);
      if (ref?.value.deleted) throw postGone(postId);
      const postAuthorId = ref?.value.postAuthorId ?? (await this.posts.authorOf(postId));
      const now = this.clock.now().toISOString();
      const id = randomUUID();
      const comment: CommentRecord = {
        kind: 'comment',
        id,
        postId,
        postAuthorId,
        authorId: caller.id,
        authorUsername: caller.username,
        text: input.text,
        createdAt: now,
        updatedAt: now,
        sortKey: `${now}|${id}`,
      };
      await this.comments.commit(
        [
          { type: 'comment', comment },
          {
            type: 'post-ref',
            ref: {
              kind: 'post-ref',
              postId,
              postAuthorId,
              deleted: false,
            },
            ...(ref ? { etag: ref.etag } : {}),
          },
        ],
        [
          domainEvent(
            'comment.created',
            { commentId: id, postId, postAuthorId, authorId: caller.id, text: input.text, at: now },
            newEventId(),
          ),
        ],
      );
      return toView(comment);
    });
  }

  async list(postId: string, offset: number, limit: number): Promise<OffsetPage<CommentView>> {
    const ref = await this.comments.postRef(postId);
    if (ref?.value.deleted) throw postGone(postId);
    if (!ref) await this.posts.authorOf(postId); // never commented: ask posts whether it exists
    return pageFrom(
      await this.comments.listByPost(postId, offset, limit + 1),
      offset,
      limit,
      toView,
    );
  }

  update(caller: AuthUser, id: string, input: CommentInput): Promise<CommentView> {
    return retryOnConflict(async () => {
      const { value: comment, etag } = await this.existing(id);
      if (comment.authorId !== caller.id) throw forbidden('Only the author may edit a comment.');
      const updated: CommentRecord = {
        ...comment,
        text: input.text,
        updatedAt: this.clock.now().toISOString(),
      };
      await this.comments.commit([{ type: 'comment', comment: updated, etag }], []);
      return toView(updated);
    });
  }

  async remove(caller: AuthUser, id: string): Promise<void> {
    const { value: comment } = await this.existing(id);
    if (comment.authorId !== caller.id) throw forbidden('Only the author may delete a comment.');
    await this.deleteComment(id);
  }

  /**
   * post.deleted: mark the post deleted (no comment can be added after), then delete its
   * comments, each with comment.deleted. Idempotent by construction: a redelivery finds the
   * mark set and no comments left, and publishes nothing.
   */
  async removePost(postId: string, postAuthorId: string): Promise<number> {
    await retryOnConflict(async () => {
      const ref = await this.comments.postRef(postId);
      if (ref?.value.deleted) return;
      await this.comments.commit(
        [
          {
            type: 'post-ref',
            ref: {
              kind: 'post-ref',
              postId,
              postAuthorId,
              deleted: true,
            },
            ...(ref ? { etag: ref.etag } : {}),
          },
        ],
        [],
      );
    });
    return this.deleteAll(() => this.comments.listByPost(postId, 0, BATCH));
  }

  /** user.deleted: every comment of the user goes, each with comment.deleted. Idempotent. */
  removeUser(userId: string): Promise<number> {
    return this.deleteAll(() => this.comments.listByAuthor(userId, BATCH));
  }

  private async deleteAll(nextBatch: () => Promise<CommentRecord[]>): Promise<number> {
    let removed = 0;
    for (;;) {
      const batch = await nextBatch();
      for (const comment of batch) if (await this.deleteComment(comment.id)) removed++;
      if (batch.length < BATCH) return removed;
    }
  }

  /** Deletes a comment with its comment.deleted event; false if it was already gone. */
  private deleteComment(id: string): Promise<boolean> {
    return retryOnConflict(async () => {
      const current = await this.comments.comment(id);
      if (!current) return false;
      const comment = current.value;
      await this.comments.commit(
        [{ type: 'comment.delete', commentId: id, etag: current.etag }],
        [
          domainEvent(
            'comment.deleted',
            {
              commentId: id,
              postId: comment.postId,
              postAuthorId: comment.postAuthorId,
              authorId: comment.authorId,
              at: this.clock.now().toISOString(),
            },
            newEventId(),
          ),
        ],
      );
      return true;
    });
  }

  private async existing(id: string): Promise<Versioned<CommentRecord>> {
    const found = await this.comments.comment(id);
    if (!found) throw notFound(`Comment ${id} does not exist.`);
    return found;
  }
}
