import type { ReaderPostView } from '@flock/posts/client';
import type { PostReader } from '../src/timeline.domain.js';
import type { Entry } from '../src/timeline.schemas.js';

/** Stands in for the posts service: knows the posts a test created, records each batch read. */
export class FakePosts implements PostReader {
  private readonly known = new Map<string, Entry>();
  readonly reads: Array<{ ids: readonly string[]; viewerId?: string }> = [];
  /** Posts each viewer likes. */
  readonly likes = new Map<string, Set<string>>();

  add(entry: Entry): void {
    this.known.set(entry.postId, entry);
  }

  /** The post is gone from the posts service (deleted, its event not yet applied here). */
  forget(postId: string): void {
    this.known.delete(postId);
  }

  async read(ids: readonly string[], viewerId?: string): Promise<ReaderPostView[]> {
    this.reads.push({ ids, ...(viewerId ? { viewerId } : {}) });
    return ids.flatMap((id) => {
      const entry = this.known.get(id);
      return entry ? [viewOf(entry, this.likes.get(viewerId ?? '')?.has(id) ?? false)] : [];
    });
  }
}

export const viewOf = (entry: Entry, likedByMe: boolean): ReaderPostView => ({
  id: entry.postId,
  authorId: entry.authorId,
  authorUsername: `user-${entry.authorId.slice(0, 8)}`,
  authorDisplayName: `User ${entry.authorId.slice(0, 8)}`,
  text: `post ${entry.postId}`,
  hashtags: [],
  mentions: [],
  createdAt: entry.createdAt,
  updatedAt: entry.createdAt,
  likesCount: likedByMe ? 1 : 0,
  commentsCount: 0,
  repliesCount: 0,
  likedByMe,
  bookmarkedByMe: false,
});
