import { randomUUID } from 'node:crypto';
import type { ReaderPostView } from '@flock/posts/client';
import { notificationsConfigSchema } from '../src/notifications.config.js';
import { buildService } from '../src/notifications.service.js';
import {
  edgeApp,
  eventually,
  publish,
  startServiceUnderTest,
  type ServiceUnderTest,
} from '@flock/testing';

interface Item {
  id: string;
  type: string;
  actorId: string;
  postId?: string;
  commentId?: string;
  createdAt: string;
  read: boolean;
}
interface PageBody {
  items: Item[];
  nextCursor?: string;
  unreadCount: number;
}

/** What the posts stub answers for a post it knows: a whole post, as the posts client checks. */
const postBy = (id: string, authorId: string): ReaderPostView => ({
  id,
  authorId,
  authorUsername: 'someone',
  authorDisplayName: 'Someone',
  likedByMe: false,
  bookmarkedByMe: false,
  text: 'a post',
  hashtags: [],
  mentions: [],
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  likesCount: 0,
  commentsCount: 0,
  repliesCount: 0,
});

/** The notifications service on port 0 behind a real sidecar; posts is a stub at the edge. */
describe('notifications service through HTTP', () => {
  const postAuthors = new Map<string, string>();
  let posts: Awaited<ReturnType<typeof edgeApp>>;
  let service: ServiceUnderTest<ReturnType<typeof buildService>>;

  beforeAll(async () => {
    posts = await edgeApp((method, path) => {
      const id = /^\/posts\/([^/]+)$/.exec(path)?.[1];
      if (method !== 'GET' || !id) return undefined;
      const authorId = postAuthors.get(id);
      return authorId
        ? { status: 200, body: postBy(id, authorId) }
        : {
            status: 404,
            body: { type: 'https://flock.dev/problems/not-found', status: 404, detail: 'no' },
          };
    });
    service = await startServiceUnderTest({
      appId: 'notifications',
      configSchema: notificationsConfigSchema,
      build: buildService,
      apps: { posts: posts.port },
    });
  });

  afterAll(async () => {
    await service?.stop();
    await new Promise((resolve) => posts?.server.close(resolve));
  });

  const as = (caller: string) => ({ 'x-flock-user-id': caller, 'x-flock-username': 'someone' });
  const list = async (caller: string, query = '') => {
    const response = await fetch(`${service.url}/notifications${query}`, { headers: as(caller) });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as PageBody,
    };
  };
  const post = (caller: string | undefined, path: string) =>
    fetch(`${service.url}${path}`, { method: 'POST', headers: caller ? as(caller) : {} });
  const at = () => new Date().toISOString();
  const follow = (followerId: string, followeeId: string, id?: string) =>
    publish(service.sidecar, 'follow.created', { followerId, followeeId, at: at() }, id);
  const like = (userId: string, postAuthorId: string, postId = randomUUID()) =>
    publish(service.sidecar, 'like.created', { postId, postAuthorId, userId, at: at() });
  const postCreated = (
    authorId: string,
    extra: { inReplyTo?: string; inReplyToAuthorId?: string; mentions?: string[] },
  ) =>
    publish(service.sidecar, 'post.created', {
      postId: randomUUID(),
      authorId,
      text: 'hello',
      hashtags: [],
      mentions: extra.mentions ?? [],
      ...(extra.inReplyTo ? { inReplyTo: extra.inReplyTo } : {}),
      ...(extra.inReplyToAuthorId ? { inReplyToAuthorId: extra.inReplyToAuthorId } : {}),
      createdAt: at(),
    });
  /** Waits until `userId` has exactly `count` notifications, then returns them. */
  const settled = (userId: string, count: number) =>
    eventually(async () => {
      const { body } = await list(userId);
      return body.items.length === count ? body : undefined;
    });

  test('when there is no caller, then every endpoint answers 401', async () => {
    expect((await fetch(`${service.url}/notifications`)).status).toBe(401);
    expect((await fetch(`${service.url}/notifications/stream`)).status).toBe(401);
    expect((await post(undefined, '/notifications/read-all')).status).toBe(401);
    expect((await post(undefined, `/notifications/${'0'.repeat(24)}/read`)).status).toBe(401);
  });

  test('when someone follows a user, then the followee gets a follow notification, unread', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    await follow(bob, alice);
    const body = await settled(alice, 1);
    expect(body.items[0]).toMatchObject({ type: 'follow', actorId: bob, read: false });
    expect(body.unreadCount).toBe(1);
    expect(body.items[0]!.id).toMatch(/^[0-9a-f]{24}$/);
    expect((await list(bob)).body).toEqual({ items: [], unreadCount: 0 });
  });

  test('when a post is liked, then its author is notified, but never for liking their own post', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    await like(alice, alice); // self-like: nothing
    const postId = randomUUID();
    await like(bob, alice, postId); // same topic, delivered after the self-like
    const body = await settled(alice, 1);
    expect(body.items[0]).toMatchObject({ type: 'like', actorId: bob, postId });
  });

  test('when a post gets a comment, then its author is notified, but not of their own comments', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const [postId, commentId] = [randomUUID(), randomUUID()];
    const comment = (authorId: string, id: string) =>
      publish(service.sidecar, 'comment.created', {
        commentId: id,
        postId,
        postAuthorId: alice,
        authorId,
        text: 'nice',
        at: at(),
      });
    await comment(alice, randomUUID());
    await comment(bob, commentId);
    const body = await settled(alice, 1);
    expect(body.items[0]).toMatchObject({ type: 'comment', actorId: bob, postId, commentId });
  });

  test("when a reply's event names the parent's author, then that author is notified without asking posts", async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const parent = randomUUID(); // unknown to the posts stub: asking it would answer 404
    await postCreated(bob, { inReplyTo: parent, inReplyToAuthorId: alice });
    const body = await settled(alice, 1);
    expect(body.items[0]).toMatchObject({ type: 'reply', actorId: bob });
  });

  test("when a reply's event is from before it named the parent's author, then posts is asked; not for self-replies or unknown parents", async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    const parent = randomUUID();
    postAuthors.set(parent, alice);
    await postCreated(alice, { inReplyTo: parent }); // self-reply
    await postCreated(bob, { inReplyTo: randomUUID() }); // parent unknown to posts: 404
    await postCreated(bob, { inReplyTo: parent });
    const body = await settled(alice, 1);
    expect(body.items[0]).toMatchObject({ type: 'reply', actorId: bob });
    expect(body.items[0]!.postId).not.toBe(parent); // the reply itself
  });

  test('when a post mentions registered users, then each is notified once; never the author, never unknown names', async () => {
    const [carol, dave, erin] = [randomUUID(), randomUUID(), randomUUID()];
    const names = { carol: `carol${carol.slice(0, 8)}`, dave: `dave${dave.slice(0, 8)}` };
    await publish(service.sidecar, 'user.registered', {
      userId: carol,
      username: names.carol,
      email: `${names.carol}@example.com`,
      at: at(),
    });
    await publish(service.sidecar, 'user.registered', {
      userId: dave,
      username: names.dave,
      email: `${names.dave}@example.com`,
      at: at(),
    });
    await eventually(async () => {
      // a mention of dave alone tells us the projection is ready
      await postCreated(erin, { mentions: [names.dave] });
      return (await list(dave)).body.items.length > 0 ? true : undefined;
    });
    await postCreated(carol, { mentions: [names.carol, 'nobody-here'] }); // self-mention
    const parent = randomUUID();
    postAuthors.set(parent, carol);
    // carol is replied to AND mentioned: one notification (the reply); dave is mentioned twice
    await postCreated(erin, { inReplyTo: parent, mentions: [names.carol, names.dave, names.dave] });
    const forCarol = await settled(carol, 1);
    expect(forCarol.items[0]).toMatchObject({ type: 'reply', actorId: erin });
    const forDave = await eventually(async () => {
      const { body } = await list(dave);
      return body.items.length >= 2 ? body : undefined;
    });
    expect(forDave.items.every((n) => n.type === 'mention' && n.actorId === erin)).toBe(true);
  });

  test('when the same event is delivered twice, then it notifies once', async () => {
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    const eventId = randomUUID();
    await follow(bob, alice, eventId);
    await follow(bob, alice, eventId);
    await follow(carol, alice); // a later event: once it is in, the duplicate was handled
    const body = await settled(alice, 2);
    expect(body.items.map((n) => n.actorId)).toEqual([carol, bob]);
  });

  test('when a user has many notifications, then pages are newest first with a cursor and a Link header; ?unread=true filters', async () => {
    const alice = randomUUID();
    const actors = Array.from({ length: 5 }, () => randomUUID());
    for (const actor of actors) await follow(actor, alice);
    await settled(alice, 5);
    const first = await list(alice, '?limit=2');
    expect(first.body.items.map((n) => n.actorId)).toEqual([actors[4], actors[3]]);
    expect(first.body.unreadCount).toBe(5);
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await list(alice, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((n) => n.actorId)).toEqual([actors[2], actors[1]]);
    const third = await list(alice, `?limit=2&cursor=${second.body.nextCursor}`);
    expect(third.body.items.map((n) => n.actorId)).toEqual([actors[0]]);
    expect(third.body.nextCursor).toBeUndefined();

    expect((await post(alice, `/notifications/${first.body.items[0]!.id}/read`)).status).toBe(200);
    const unread = await list(alice, '?unread=true');
    expect(unread.body.items).toHaveLength(4);
    expect(unread.body.items.every((n) => !n.read)).toBe(true);
    expect(unread.body.unreadCount).toBe(4);
  });

  test('when the query is bad, then 400: a forged cursor, a limit out of range, unread not a boolean', async () => {
    const alice = randomUUID();
    expect((await list(alice, '?cursor=not-a-cursor')).status).toBe(400);
    expect(
      (await list(alice, `?cursor=${Buffer.from('{"id":"x"}').toString('base64url')}`)).status,
    ).toBe(400);
    expect((await list(alice, '?limit=0')).status).toBe(400);
    expect((await list(alice, '?limit=101')).status).toBe(400);
    expect((await list(alice, '?unread=yes')).status).toBe(400);
  });

  test("when marking read, then only your own: another user's notification is 404, a bad id 400, twice is fine", async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    await follow(bob, alice);
    const id = (await settled(alice, 1)).items[0]!.id;
    expect((await post(bob, `/notifications/${id}/read`)).status).toBe(404);
    expect((await post(alice, '/notifications/not-an-id/read')).status).toBe(400);
    expect((await post(alice, `/notifications/${'f'.repeat(24)}/read`)).status).toBe(404);
    const read = await post(alice, `/notifications/${id}/read`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, read: true });
    expect((await post(alice, `/notifications/${id}/read`)).status).toBe(200);
    expect((await list(alice)).body.unreadCount).toBe(0);
  });

  test('when marking all read, then every notification is read and the count says how many changed', async () => {
    const alice = randomUUID();
    for (let i = 0; i < 3; i++) await follow(randomUUID(), alice);
    await settled(alice, 3);
    const response = await post(alice, '/notifications/read-all');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ updated: 3, unreadCount: 0 });
    const after = await list(alice);
    expect(after.body.unreadCount).toBe(0);
    expect(after.body.items.every((n) => n.read)).toBe(true);
    expect(await (await post(alice, '/notifications/read-all')).json()).toEqual({
      updated: 0,
      unreadCount: 0,
    });
  });

  test('when a user is deleted, then their notifications go and late events notify them no more', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()];
    await follow(bob, alice);
    await settled(alice, 1);
    await publish(service.sidecar, 'user.deleted', {
      userId: alice,
      username: 'alice-gone',
      at: at(),
    });
    await eventually(async () => ((await list(alice)).body.items.length === 0 ? true : undefined));
    await follow(randomUUID(), alice); // late
    const sentinel = randomUUID();
    await follow(randomUUID(), sentinel);
    await settled(sentinel, 1);
    expect((await list(alice)).body.items).toEqual([]);
  });

  describe('POST /internal/notifications', () => {
    const create = (body: unknown, key?: string) =>
      fetch(`${service.url}/internal/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify(body),
      });

    test('when another service creates one, then 201 and it is listed; a repeated Idempotency-Key creates nothing', async () => {
      const [alice, bob] = [randomUUID(), randomUUID()];
      const postId = randomUUID();
      const key = randomUUID();
      const first = await create({ userId: alice, type: 'like', actorId: bob, postId }, key);
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ type: 'like', actorId: bob, postId, read: false });
      expect(
        (await create({ userId: alice, type: 'like', actorId: bob, postId }, key)).status,
      ).toBe(204);
      expect((await list(alice)).body.items).toHaveLength(1);
    });

    test('when it is about the actor themself, then 204 and nothing; a bad body is 400', async () => {
      const alice = randomUUID();
      expect((await create({ userId: alice, type: 'follow', actorId: alice })).status).toBe(204);
      expect((await create({ userId: 'x', type: 'follow', actorId: alice })).status).toBe(400);
      expect((await create({ userId: alice, type: 'poke', actorId: 'b' })).status).toBe(400);
      expect((await list(alice)).body.items).toEqual([]);
    });
  });
});
