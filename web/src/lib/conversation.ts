import type { Page, PageLoader } from './paging';

/**
 * One conversation under a post, as people see it: the threaded replies (posts) and the comments
 * made through the comments API, in one list, oldest first. Both sources are oldest first; the
 * comments come in pages, the replies all at once (the thread holds them), so a reply is shown
 * once every comment older than it has been loaded.
 */
export type Reply<P, C> = { kind: 'post'; item: P } | { kind: 'comment'; item: C };

interface Dated {
  id: string;
  createdAt: string;
}

export function replyKey(reply: Reply<Dated, Dated>): string {
  return `${reply.kind}:${reply.item.id}`;
}

/**
 * Pages of the merged list, paged by the comments' cursors. `replies` is read with each page, so
 * a reply written meanwhile is placed by its time. Replies already shown are left to the pager's
 * de-duplication.
 */
export function conversationPages<P extends Dated, C extends Dated>(
  replies: () => Promise<readonly P[]>,
  comments: PageLoader<C>,
): PageLoader<Reply<P, C>> {
  return async (cursor) => {
    const [page, all] = await Promise.all([comments(cursor), replies()]);
    const last = page.nextCursor === undefined ? Infinity : time(page.items.at(-1));
    const due = all.filter((reply) => time(reply) <= last);
    const merged: Reply<P, C>[] = [
      ...page.items.map((item) => ({ kind: 'comment' as const, item })),
      ...due.map((item) => ({ kind: 'post' as const, item })),
    ].sort((a, b) => time(a.item) - time(b.item));
    const result: Page<Reply<P, C>> = { items: merged };
    if (page.nextCursor !== undefined) result.nextCursor = page.nextCursor;
    return result;
  };
}

function time(item: Dated | undefined): number {
  return item ? Date.parse(item.createdAt) : -Infinity;
}
