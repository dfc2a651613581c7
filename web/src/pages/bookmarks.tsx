import { api, ok, type Post } from '../api/client';
import { bookmarked, useStore } from '../state';
import { PostList, usePager } from '../ui/components';
import { rememberMine } from './posts';

/** Your bookmarks, newest first: private, as on Mastodon. One taken away here leaves at once. */
export function BookmarksPage() {
  const marks = useStore(bookmarked);
  const pager = usePager<Post>(
    async (cursor) => {
      const page = await ok(
        api.GET('/bookmarks', { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }),
      );
      return { ...page, items: rememberMine(page.items) };
    },
    (post) => post.id,
    [],
  );
  return (
    <>
      <h1>Bookmarks</h1>
      <PostList
        pager={pager}
        label="Bookmarked posts"
        hide={(post) => !marks.has(post.id)}
        empty="No bookmarks yet. Bookmark a post to find it here; nobody else sees them."
      />
    </>
  );
}
