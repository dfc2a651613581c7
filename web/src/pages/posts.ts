import { api, type Post, type TimelineEntry } from '../api/client';
import { ApiError, isProblem } from '../api/problem';
import { hydrate, type Page } from '../lib/paging';

/** A post, or undefined if it is gone (deleted since the timeline listed it). */
export async function getPost(id: string): Promise<Post | undefined> {
  const { data, error, response } = await api.GET('/posts/{id}', { params: { path: { id } } });
  if (response.status === 404) return undefined;
  if (!response.ok || !data)
    throw new ApiError(isProblem(error) ? error : { status: response.status });
  return data;
}

/** A timeline page (ids only) as posts: one request per entry, all in parallel. */
export async function hydratePage(page: Page<TimelineEntry>): Promise<Page<Post>> {
  const items = await hydrate(page.items, (entry) => getPost(entry.postId));
  return page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor };
}
