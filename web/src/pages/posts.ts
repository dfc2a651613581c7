import type { Post, TimelineEntry } from '../api/client';
import type { Page } from '../lib/paging';
import { bookmarked, liked, unfollowed } from '../state';

/** Every post the API answers says whether the reader likes and bookmarked it: the buttons remember. */
export function rememberMine<T extends { id: string; likedByMe: boolean; bookmarkedByMe: boolean }>(
  posts: T[],
): T[] {
  for (const post of posts) {
    liked.mark(post.id, post.likedByMe);
    bookmarked.mark(post.id, post.bookmarkedByMe);
  }
  return posts;
}

/**
 * A timeline page as posts. The page already holds whole posts (one request per page); whether
 * the reader likes each one is remembered for the like buttons.
 */
export function timelinePosts(items: readonly TimelineEntry[]): Post[] {
  return rememberMine([...items]);
}

export function timelinePage(page: Page<TimelineEntry>): Page<Post> {
  const items = timelinePosts(page.items);
  return page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor };
}

/** Home without the posts of people just unfollowed (see `unfollowed`). */
export function withoutUnfollowed<T extends { authorId: string }>(posts: readonly T[]): T[] {
  return posts.filter((post) => !unfollowed.value.has(post.authorId));
}
