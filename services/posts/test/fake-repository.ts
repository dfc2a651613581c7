import { WriteConflict, type DomainEvent, type Versioned } from '@flock/kit';
import { type PostRepository, type PostWrite } from '../src/posts.domain.js';
import type {
  AuthorStats,
  BookmarkRecord,
  LikeRecord,
  PostRecord,
  StoredPost,
} from '../src/posts.schemas.js';

/** An in-memory PostRepository with etags and insert-only semantics, for fast domain specs. */
export class FakePostRepository implements PostRepository {
  readonly items = new Map<string, Versioned<unknown>>();
  readonly events: DomainEvent[] = [];
  readonly processed = new Set<string>();
  private version = 0;
  /** Called before each commit; a test may change state here to simulate a concurrent writer. */
  beforeCommit: (() => void) | undefined;

  private get<T>(key: string): Versioned<T> | undefined {
    return this.items.get(key) as Versioned<T> | undefined;
  }
  private values<T>(prefix: string): T[] {
    return [...this.items.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, v]) => v.value as T);
  }

  put(key: string, value: unknown): void {
    this.items.set(key, { value: structuredClone(value), etag: String(++this.version) });
  }

  async post(id: string) {
    return this.get<StoredPost>(`post:${id}`);
  }
  private many<T>(ids: readonly string[], keyOf: (id: string) => string): Map<string, T> {
    const found = new Map<string, T>();
    for (const id of ids) {
      const item = this.get<T>(keyOf(id));
      if (item) found.set(id, item.value);
    }
    return found;
  }
  async postsMany(ids: readonly string[]) {
    return this.many<StoredPost>(ids, (id) => `post:${id}`);
  }
  async readerMarks(userId: string, postIds: readonly string[]) {
    return {
      liked: new Set(this.many<LikeRecord>(postIds, (id) => `like:${id}:${userId}`).keys()),
      bookmarked: new Set(
        this.many<BookmarkRecord>(postIds, (id) => `bookmark:${userId}:${id}`).keys(),
      ),
    };
  }
  async bookmarksOf(userId: string, offset: number, limit: number) {
    return this.values<BookmarkRecord>(`bookmark:${userId}:`)
      .sort((a, b) => b.sortKey.localeCompare(a.sortKey))
      .slice(offset, offset + limit);
  }
  async bookmarksOfPost(postId: string, limit: number) {
    return this.values<BookmarkRecord>('bookmark:')
      .filter((b) => b.postId === postId)
      .slice(0, limit);
  }
  async authorsMany(userIds: readonly string[]) {
    return this.many<AuthorStats>(userIds, (id) => `author:${id}`);
  }
  async like(postId: string, userId: string) {
    return this.get<LikeRecord>(`like:${postId}:${userId}`)?.value;
  }
  async authorStats(userId: string) {
    return this.get<AuthorStats>(`author:${userId}`);
  }
  async idempotentPostId(userId: string, key: string) {
    return this.get<{ postId: string }>(`idem:${userId}:${key}`)?.value.postId;
  }
  private livePosts(): PostRecord[] {
    return this.values<StoredPost>('post:').filter((p): p is PostRecord => p.kind === 'post');
  }
  async listPosts(offset: number, limit: number) {
    return this.livePosts()
      .sort((a, b) => b.sortKey.localeCompare(a.sortKey))
      .slice(offset, offset + limit);
  }
  async listReplies(postId: string, limit: number) {
    return this.livePosts()
      .filter((p) => p.inReplyTo === postId)
      .sort((a, b) => a.sortKey.localeCompare(b.sortKey))
      .slice(0, limit);
  }
  async listLikes(postId: string, offset: number, limit: number) {
    return this.values<LikeRecord>('like:')
      .filter((l) => l.postId === postId)
      .sort((a, b) => b.sortKey.localeCompare(a.sortKey))
      .slice(offset, offset + limit);
  }
  async postsByAuthor(authorId: string, limit: number) {
    return this.livePosts()
      .filter((p) => p.authorId === authorId)
      .slice(0, limit);
  }
  async likesByUser(userId: string, limit: number) {
    return this.values<LikeRecord>('like:')
      .filter((l) => l.userId === userId)
      .slice(0, limit);
  }

  async commit(writes: readonly PostWrite[], events: readonly DomainEvent[]): Promise<void> {
    const hook = this.beforeCommit;
    this.beforeCommit = undefined;
    hook?.();
    const ops = writes.map((w) => this.operation(w));
    for (const op of ops) {
      const current = this.items.get(op.key);
      if (op.etag !== undefined ? current?.etag !== op.etag : op.insert && current)
        throw new WriteConflict('lost a race in the fake repository');
    }
    for (const op of ops) {
      if (op.value === undefined) this.items.delete(op.key);
      else this.put(op.key, op.value);
    }
    this.events.push(...events);
  }

  async once(eventId: string, plan: () => Promise<readonly PostWrite[]>): Promise<void> {
    if (this.processed.has(eventId)) return;
    await this.commit(await plan(), []);
    this.processed.add(eventId);
  }

  private operation(w: PostWrite): {
    key: string;
    value?: unknown;
    etag?: string;
    insert: boolean;
  } {
    switch (w.type) {
      case 'post':
        return { key: `post:${w.post.id}`, value: w.post, etag: w.etag, insert: !w.etag };
      case 'like.insert':
        return { key: `like:${w.like.postId}:${w.like.userId}`, value: w.like, insert: true };
      case 'like.delete':
        return { key: `like:${w.postId}:${w.userId}`, insert: false };
      case 'bookmark.insert': {
        const { userId, postId } = w.bookmark;
        return { key: `bookmark:${userId}:${postId}`, value: w.bookmark, insert: true };
      }
      case 'bookmark.delete':
        return { key: `bookmark:${w.userId}:${w.postId}`, insert: false };
      case 'author-stats':
        return { key: `author:${w.userId}`, value: w.stats, etag: w.etag, insert: !w.etag };
      case 'idempotency-key':
        return { key: `idem:${w.userId}:${w.key}`, value: { postId: w.postId }, insert: true };
    }
  }
}
