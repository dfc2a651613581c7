import { conversationPages, replyKey, type Reply } from '../../src/lib/conversation';
import { Pager, type Page } from '../../src/lib/paging';

type Item = { id: string; createdAt: string };
const at = (id: string, minute: number): Item => ({
  id,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
});

/** Comments served two a page, oldest first, as the comments API does. */
function commentPages(all: Item[]) {
  return async (cursor: string | undefined): Promise<Page<Item>> => {
    const start = cursor ? Number(cursor) : 0;
    const items = all.slice(start, start + 2);
    return start + 2 < all.length ? { items, nextCursor: String(start + 2) } : { items };
  };
}

const ids = (pager: Pager<Reply<Item, Item>>) => pager.items.map((r) => r.item.id);

describe('one conversation of replies and comments', () => {
  test('when comments come in pages, then each reply is shown in time order once the comments before it are loaded', async () => {
    const replies = [at('r1', 2), at('r2', 6)];
    const comments = [at('c1', 1), at('c2', 3), at('c3', 4), at('c4', 5)];
    const pager = new Pager(
      conversationPages(async () => replies, commentPages(comments)),
      replyKey,
    );
    await pager.next();
    expect(ids(pager)).toEqual(['c1', 'r1', 'c2']);
    await pager.next();
    expect(ids(pager)).toEqual(['c1', 'r1', 'c2', 'c3', 'c4', 'r2']);
    expect(pager.done).toBe(true);
  });

  test('when a reply is written before the last page is read, then it comes at the end, once', async () => {
    const replies = [at('r1', 2)];
    const comments = [at('c1', 1), at('c2', 3), at('c3', 4)];
    const pager = new Pager(
      conversationPages(async () => replies, commentPages(comments)),
      replyKey,
    );
    await pager.next();
    replies.push(at('r2', 9));
    await pager.next();
    expect(ids(pager)).toEqual(['c1', 'r1', 'c2', 'c3', 'r2']);
  });

  test('when a reply and a comment share an id, then both are shown', async () => {
    const pager = new Pager(
      conversationPages(async () => [at('x', 2)], commentPages([at('x', 1)])),
      replyKey,
    );
    await pager.next();
    expect(pager.items.map((r) => r.kind)).toEqual(['comment', 'post']);
  });
});
