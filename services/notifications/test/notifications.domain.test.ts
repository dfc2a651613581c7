import {
  NotificationsDomain,
  REPLAY_LIMIT,
  type Addressed,
  type InboxRepository,
} from '../src/notifications.domain.js';
import { newNotificationId } from '../src/notifications.ids.js';
import type { Notification } from '../src/notifications.schemas.js';

/** In-memory doubles of the edges; the domain's rules are tested without a sidecar. */
class MemoryInbox implements InboxRepository {
  readonly inboxes = new Map<string, Notification[]>();
  readonly keys = new Set<string>();
  readonly gone = new Set<string>();

  async addOnce(key: string, batch: readonly Addressed[]) {
    if (this.keys.has(key)) return 'duplicate' as const;
    this.keys.add(key);
    const stored = batch.filter((a) => !this.gone.has(a.userId));
    for (const a of stored)
      this.inboxes.set(a.userId, [a.notification, ...(this.inboxes.get(a.userId) ?? [])]);
    return stored;
  }
  async inbox(userId: string) {
    return [...(this.inboxes.get(userId) ?? [])].sort((a, b) => b.id.localeCompare(a.id));
  }
  async updateInbox(userId: string, change: (items: Notification[]) => Notification[] | undefined) {
    const next = change(await this.inbox(userId));
    if (next) this.inboxes.set(userId, next);
    return next ?? (await this.inbox(userId));
  }
  async dropUser(userId: string) {
    this.inboxes.delete(userId);
    this.gone.add(userId);
  }
}

describe('NotificationsDomain', () => {
  let inbox: MemoryInbox;
  let pushed: Array<{ userId: string; notification: Notification }>;
  let domain: NotificationsDomain;
  let now: number;
  const authors = new Map<string, string>();
  const texts = new Map<string, string>();
  let postsAnswer = true;
  const names = new Map<string, string>();

  beforeEach(() => {
    postsAnswer = true;
    inbox = new MemoryInbox();
    pushed = [];
    now = Date.parse('2026-01-01T00:00:00Z');
    domain = new NotificationsDomain(
      inbox,
      {
        authorOf: async (postId) => authors.get(postId),
        texts: async (ids) => {
          if (!postsAnswer) throw new Error('posts is away');
          return new Map(ids.flatMap((id) => (texts.has(id) ? [[id, texts.get(id)!]] : [])));
        },
      },
      {
        remember: async (n, id) => void names.set(n, id),
        forget: async (n) => void names.delete(n),
        resolve: async (ns) =>
          new Map(ns.flatMap((n) => (names.has(n) ? [[n, names.get(n)!]] : []))),
      },
      { publish: async (userId, notification) => void pushed.push({ userId, notification }) },
      { now: () => new Date((now += 1000)) },
      newNotificationId,
    );
  });

  test('when a user acts on their own things, then nobody is notified and nothing is pushed', async () => {
    authors.set('p1', 'alice');
    await domain.likeCreated('e1', { postId: 'p1', postAuthorId: 'alice', userId: 'alice' });
    await domain.followCreated('e2', { followerId: 'alice', followeeId: 'alice' });
    await domain.postCreated('e3', {
      postId: 'p2',
      authorId: 'alice',
      inReplyTo: 'p1',
      mentions: [],
    });
    await domain.userRegistered({ userId: 'alice', username: 'Alice' });
    await domain.postCreated('e4', { postId: 'p3', authorId: 'alice', mentions: ['alice'] });
    expect(inbox.inboxes.size).toBe(0);
    expect(pushed).toEqual([]);
  });

  test('when a reply also mentions the parent author and others twice, then one notification per recipient', async () => {
    authors.set('parent', 'alice');
    await domain.userRegistered({ userId: 'alice', username: 'alice' });
    await domain.userRegistered({ userId: 'carol', username: 'carol' });
    await domain.postCreated('e1', {
      postId: 'reply',
      authorId: 'bob',
      inReplyTo: 'parent',
      mentions: ['alice', 'carol', 'CAROL', 'nobody'],
    });
    expect((await inbox.inbox('alice')).map((n) => n.type)).toEqual(['reply']);
    expect((await inbox.inbox('carol')).map((n) => n.type)).toEqual(['mention']);
    expect(pushed.map((p) => p.userId).sort()).toEqual(['alice', 'carol']);
  });

  test('when a list is read, then each post’s words come with it, cut at 140 characters, as the post reads now; without posts the list still answers', async () => {
    texts.set('short', 'nice bird');
    texts.set('long', 'x'.repeat(200));
    await domain.likeCreated('e1', { postId: 'short', postAuthorId: 'alice', userId: 'bob' });
    await domain.likeCreated('e2', { postId: 'long', postAuthorId: 'alice', userId: 'bob' });
    await domain.likeCreated('e3', { postId: 'deleted', postAuthorId: 'alice', userId: 'bob' });
    await domain.followCreated('e4', { followerId: 'bob', followeeId: 'alice' });
    const excerpts = async () =>
      (await domain.list('alice', { limit: 10 })).items.map((n) => n.excerpt);
    expect(await excerpts()).toEqual([undefined, undefined, `${'x'.repeat(139)}…`, 'nice bird']);
    texts.set('short', 'nice bird (edited)');
    expect((await excerpts())[3]).toBe('nice bird (edited)');
    postsAnswer = false;
    expect(await excerpts()).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('when the same event comes again, then nothing new is stored or pushed', async () => {
    await domain.followCreated('e1', { followerId: 'bob', followeeId: 'alice' });
    await domain.followCreated('e1', { followerId: 'bob', followeeId: 'alice' });
    expect(await inbox.inbox('alice')).toHaveLength(1);
    expect(pushed).toHaveLength(1);
  });

  test('when listing, then newest first with the unread count of everything, and the cursor continues', async () => {
    for (let i = 0; i < 5; i++)
      await domain.followCreated(`e${i}`, { followerId: `u${i}`, followeeId: 'alice' });
    const first = await domain.list('alice', { limit: 3 });
    expect(first.items.map((n) => n.actorId)).toEqual(['u4', 'u3', 'u2']);
    expect(first.unreadCount).toBe(5);
    await domain.markRead('alice', first.items[0]!.id);
    const rest = await domain.list('alice', { limit: 3, before: first.next! });
    expect(rest.items.map((n) => n.actorId)).toEqual(['u1', 'u0']);
    expect(rest.next).toBeUndefined();
    expect((await domain.list('alice', { limit: 10, unreadOnly: true })).items).toHaveLength(4);
    expect(await domain.markAllRead('alice')).toBe(4);
    expect((await domain.list('alice', { limit: 10 })).unreadCount).toBe(0);
  });

  test("when marking another user's notification read, then not found", async () => {
    await domain.followCreated('e1', { followerId: 'bob', followeeId: 'alice' });
    const [n] = await inbox.inbox('alice');
    await expect(domain.markRead('bob', n!.id)).rejects.toMatchObject({ status: 404 });
  });

  test('when replaying since an id, then newer ones oldest first, at most REPLAY_LIMIT', async () => {
    for (let i = 0; i < REPLAY_LIMIT + 5; i++)
      await domain.followCreated(`e${i}`, { followerId: `u${i}`, followeeId: 'alice' });
    const all = (await inbox.inbox('alice')).reverse();
    const since = await domain.since('alice', all[1]!.id);
    expect(since).toHaveLength(REPLAY_LIMIT);
    expect(since.map((n) => n.id)).toEqual([...since.map((n) => n.id)].sort());
    expect(await domain.since('alice', all.at(-1)!.id)).toEqual([]);
  });

  test('when a user is deleted, then their notifications go and later events skip them', async () => {
    await domain.followCreated('e1', { followerId: 'bob', followeeId: 'alice' });
    await domain.userDeleted({ userId: 'alice', username: 'alice' });
    await domain.followCreated('e2', { followerId: 'carol', followeeId: 'alice' });
    expect(await inbox.inbox('alice')).toEqual([]);
  });

  test('when ids are minted in the same millisecond, then they still sort by creation', () => {
    const ids = Array.from({ length: 1000 }, () => newNotificationId(42));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
