import {
  type DomainEvent,
  type Outbox,
  type StateQuery,
  type StateStore,
  type TransactionOperation,
  guardedUpsert,
  notFound,
  type Versioned,
} from '@flock/kit';
import type { PostsClient } from '@flock/posts/client';
import {
  type CommentRepository,
  type CommentWrite,
  type PostDirectory,
} from './comments.domain.js';
import type { CommentRecord, PostRefRecord } from './comments.schemas.js';

/**
 * Key layout of the comments store (one Dapr state store, scoped to the comments app):
 *   comment:<commentId>    CommentRecord
 *   post-ref:<postId>      PostRefRecord: the post's author, and whether it was deleted
 *   outbox:<eventId>       the kit's outbox records
 * Listings use the state query API over `kind`, `postId`/`authorId` and `sortKey`, paged by
 * offset (see the kit's offsetCursor: daprd's Postgres v1 query cannot filter a range).
 */
const commentKey = (id: string) => `comment:${id}`;
const postRefKey = (postId: string) => `post-ref:${postId}`;

type Filter = Record<string, unknown>;
const eq = (key: string, value: unknown): Filter => ({ EQ: { [key]: value } });

export class DaprCommentRepository implements CommentRepository {
  constructor(
    private readonly state: StateStore,
    private readonly outbox: Outbox,
  ) {}

  comment(id: string): Promise<Versioned<CommentRecord> | undefined> {
    return this.state.get<CommentRecord>(commentKey(id));
  }

  postRef(postId: string): Promise<Versioned<PostRefRecord> | undefined> {
    return this.state.get<PostRefRecord>(postRefKey(postId));
  }

  listByPost(postId: string, offset: number, limit: number): Promise<CommentRecord[]> {
    return this.query({ AND: [eq('kind', 'comment'), eq('postId', postId)] }, limit, offset);
  }

  listByAuthor(authorId: string, limit: number): Promise<CommentRecord[]> {
    return this.query({ AND: [eq('kind', 'comment'), eq('authorId', authorId)] }, limit);
  }

  async commit(writes: readonly CommentWrite[], events: readonly DomainEvent[]): Promise<void> {
    await this.outbox.commit(writes.map(toOperation), events);
  }

  /** Oldest first from the `offset`-th (the query's page token is that offset). */
  private async query(filter: Filter, limit: number, offset = 0): Promise<CommentRecord[]> {
    const query: StateQuery = {
      filter,
      sort: [{ key: 'sortKey', order: 'ASC' }],
      page: { limit, ...(offset > 0 ? { token: String(offset) } : {}) },
    };
    return (await this.state.query<CommentRecord>(query)).results.map((r) => r.value);
  }
}

function toOperation(write: CommentWrite): TransactionOperation {
  switch (write.type) {
    case 'comment':
      return guardedUpsert(commentKey(write.comment.id), write.comment, write.etag);
    case 'post-ref':
      return guardedUpsert(postRefKey(write.ref.postId), write.ref, write.etag);
    case 'comment.delete':
      return {
        operation: 'delete',
        key: commentKey(write.commentId),
        ...(write.etag !== undefined ? { etag: write.etag } : {}),
      };
  }
}

/**
 * Asks the posts service: it is the authority on whether a post exists right now and who wrote
 * it; a post it does not know is a 404 here too.
 */
export class DaprPostDirectory implements PostDirectory {
  constructor(private readonly posts: PostsClient) {}

  async authorOf(postId: string): Promise<string> {
    const post = await this.posts.get(postId);
    if (!post) throw notFound(`Post ${postId} does not exist.`);
    return post.authorId;
  }
}
