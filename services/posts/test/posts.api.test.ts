import { randomUUID } from 'node:crypto';
import { FORWARDED_PREFIX_HEADER, PUBLIC_API_PREFIX } from '@flock/kit';
import { postsConfigSchema } from '../src/posts.config.js';
import { buildService } from '../src/posts.service.js';
import {
  client,
  eventually,
  expectProblem,
  startProbe,
  startServiceUnderTest,
  type Probe,
  type ServiceUnderTest,
  type User,
} from '@flock/testing';

const alice: User = { id: randomUUID(), username: 'alice' };
const bob: User = { id: randomUUID(), username: 'bob' };
const carol: User = { id: randomUUID(), username: 'carol' };

let posts: ServiceUnderTest<ReturnType<typeof buildService>>;
let probe: Probe;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  probe = await startProbe([
    'post.created',
    'post.updated',
    'post.deleted',
    'like.created',
    'like.deleted',
  ]);
  posts = await startServiceUnderTest({
    appId: 'posts',
    configSchema: postsConfigSchema,
    build: buildService,
  });
  call = client(posts.url);
});

afterAll(async () => {
  await posts?.stop();
  await probe?.stop();
});

async function createPost(as: User, text: string, inReplyTo?: string): Promise<string> {
  const response = await call('POST', '/posts', { as, body: { text, inReplyTo } });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

const published = (topic: string, postId: string, count = 1) =>
  eventually(() => {
    const found = probe.of(topic).filter((e) => e.data.postId === postId);
    return found.length >= count ? found : undefined;
  });

describe('POST /posts', () => {
  test('when a user posts, then 201 with the post, its tags and mentions, and post.created', async () => {
    const response = await call('POST', '/posts', {
      as: alice,
      body: { text: 'Hello #Flock and #flock, @Bob!' },
      headers: { [FORWARDED_PREFIX_HEADER]: PUBLIC_API_PREFIX }, // as the gateway names its prefix
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/flock/v1/posts/${response.body.id}`);
    expect(response.body).toMatchObject({
      authorId: alice.id,
      authorUsername: 'alice',
      text: 'Hello #Flock and #flock, @Bob!',
      hashtags: ['flock'],
      mentions: ['bob'],
      likesCount: 0,
      commentsCount: 0,
      repliesCount: 0,
    });
    const [event] = await published('post.created', response.body.id);
    expect(event?.data).toMatchObject({
      authorId: alice.id,
      hashtags: ['flock'],
      mentions: ['bob'],
    });
  });

  test('when there is no caller, then 401', async () => {
    expectProblem(await call('POST', '/posts', { body: { text: 'anon' } }), 401);
  });

  test.each([
    ['the text is missing', {}],
    ['the text is not a string', { text: 42 }],
    ['the text is empty', { text: '' }],
    ['the text is whitespace only', { text: '   \n ' }],
    ['the text is 501 characters', { text: 'x'.repeat(501) }],
    ['inReplyTo is malformed', { text: 'hi', inReplyTo: 'not-an-id' }],
  ])('when %s, then 400 problem+json naming the field', async (_case, body) => {
    const response = await call('POST', '/posts', { as: alice, body });
    expectProblem(response, 400);
    expect(response.body.errors.length).toBeGreaterThan(0);
  });

  test('when the text is 500 emoji, then it is accepted (characters, not code units)', async () => {
    const response = await call('POST', '/posts', { as: alice, body: { text: '👍🏽'.repeat(500) } });
    expect(response.status).toBe(201);
  });

  test('when the body is not JSON, then 400', async () => {
    expectProblem(await call('POST', '/posts', { as: alice, body: '{"text":' }), 400);
  });

  test('when replying to an unknown post, then 404', async () => {
    const response = await call('POST', '/posts', {
      as: alice,
      body: { text: 'reply', inReplyTo: randomUUID() },
    });
    expectProblem(response, 404);
  });

  test('when the same Idempotency-Key is retried, then one post is created and returned each time', async () => {
    const key = randomUUID();
    const headers = { 'Idempotency-Key': key };
    const first = await call('POST', '/posts', { as: bob, body: { text: 'only once' }, headers });
    const retries = await Promise.all(
      [1, 2, 3].map(() =>
        call('POST', '/posts', { as: bob, body: { text: 'only once' }, headers }),
      ),
    );
    expect(first.status).toBe(201);
    for (const retry of retries) {
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
    }
    const other = await call('POST', '/posts', { as: carol, body: { text: 'only once' }, headers });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
    await published('post.created', first.body.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(probe.of('post.created').filter((e) => e.data.postId === first.body.id)).toHaveLength(1);
  });

  test('when concurrent first requests share an Idempotency-Key, then exactly one post exists', async () => {
    const headers = { 'Idempotency-Key': `race-${randomUUID()}` };
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() =>
        call('POST', '/posts', { as: carol, body: { text: 'race' }, headers }),
      ),
    );
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
  });

  test('when the Idempotency-Key is longer than 255 characters, then 400', async () => {
    const response = await call('POST', '/posts', {
      as: alice,
      body: { text: 'x' },
      headers: { 'Idempotency-Key': 'k'.repeat(256) },
    });
    expectProblem(response, 400);
  });
});

describe('GET /posts and /posts/:id', () => {
  test('when listing, then all posts come newest first, page by page with Link', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await createPost(carol, `listing ${i}`));
    const first = await call('GET', '/posts?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual([mine[2], mine[1]]);
    expect(first.headers.get('link')).toContain(`cursor=${first.body.nextCursor}`);
    const second = await call('GET', `/posts?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).toBe(mine[0]);
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/posts?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...page.body.items.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(all).size).toBe(all.length);
  });

  test('when listing by ids, then those live posts come in the order asked, with the reader’s like; bad ids 400', async () => {
    const [a, b] = [await createPost(alice, 'by id a'), await createPost(bob, 'by id b')];
    const gone = await createPost(alice, 'by id gone');
    await call('DELETE', `/posts/${gone}`, { as: alice });
    await call('POST', `/posts/${a}/like`, { as: carol });
    const answer = await call('GET', `/posts?ids=${b},${gone},${a},${randomUUID()}`, { as: carol });
    expect(answer.status).toBe(200);
    expect(
      answer.body.items.map((p: { id: string; likedByMe: boolean }) => [p.id, p.likedByMe]),
    ).toEqual([
      [b, false],
      [a, true],
    ]);
    expect(answer.body.nextCursor).toBeUndefined();
    for (const bad of ['', 'nope', Array.from({ length: 101 }, randomUUID).join(',')])
      expectProblem(await call('GET', `/posts?ids=${bad}`), 400);
  });

  test('when the cursor or limit is bad, then 400', async () => {
    expectProblem(await call('GET', '/posts?cursor=garbage'), 400);
    expectProblem(await call('GET', '/posts?limit=0'), 400);
    expectProblem(await call('GET', '/posts?limit=abc'), 400);
  });

  test('when reading a post, then it has its counts; unknown → 404, malformed → 400', async () => {
    const id = await createPost(alice, 'read me');
    const response = await call('GET', `/posts/${id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, likesCount: 0, commentsCount: 0, repliesCount: 0 });
    expectProblem(await call('GET', `/posts/${randomUUID()}`), 404);
    expectProblem(await call('GET', '/posts/not-a-uuid'), 400);
  });
});

describe('threads', () => {
  test('when a post has ancestors and replies, then the thread shows them in order', async () => {
    const root = await createPost(alice, 'root');
    const middle = await createPost(bob, 'middle', root);
    const replyA = await createPost(carol, 'reply a', middle);
    const replyB = await createPost(alice, 'reply b', middle);
    const [created] = await published('post.created', middle);
    expect(created!.data).toMatchObject({ inReplyTo: root, inReplyToAuthorId: alice.id });
    const response = await call('GET', `/posts/${middle}/thread`);
    expect(response.status).toBe(200);
    expect(response.body.ancestors.map((p: { id: string }) => p.id)).toEqual([root]);
    expect(response.body.post).toMatchObject({
      id: middle,
      inReplyTo: root,
      inReplyToUsername: 'alice', // whom it answers, for "Replying to @alice"
      inReplyToExcerpt: 'root', // and what it answers
      repliesCount: 2,
    });
    expect(response.body.ancestors[0].inReplyToUsername).toBeUndefined(); // not a reply
    expect(response.body.ancestors[0].inReplyToExcerpt).toBeUndefined();
    expect(response.body.replies.map((p: { id: string }) => p.id)).toEqual([replyA, replyB]);
    expect(
      response.body.replies.map((p: { inReplyToUsername: string }) => p.inReplyToUsername),
    ).toEqual(['bob', 'bob']);
    expect(response.body.repliesTruncated).toBe(false);
    expect((await call('GET', `/posts/${root}`)).body.repliesCount).toBe(1);
  });

  test('when an ancestor is deleted, then the reply stays and the thread shows a tombstone', async () => {
    const root = await createPost(alice, 'to be deleted');
    const reply = await createPost(bob, 'survivor', root);
    expect((await call('DELETE', `/posts/${root}`, { as: alice })).status).toBe(204);
    const thread = await call('GET', `/posts/${reply}/thread`);
    expect(thread.body.ancestors).toEqual([{ id: root, deleted: true }]);
    expect(thread.body.post.inReplyTo).toBe(root);
    expect(thread.body.post.inReplyToExcerpt).toBeUndefined(); // its words went with it
    expectProblem(
      await call('POST', '/posts', { as: bob, body: { text: 'x', inReplyTo: root } }),
      404,
    );
  });

  test('when the thread of an unknown post is asked, then 404', async () => {
    expectProblem(await call('GET', `/posts/${randomUUID()}/thread`), 404);
  });
});

describe('PATCH and DELETE /posts/:id', () => {
  test('when the author edits, then tags are re-parsed and post.updated is published', async () => {
    const id = await createPost(alice, '#before');
    const response = await call('PATCH', `/posts/${id}`, {
      as: alice,
      body: { text: '#After with @Carol' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      text: '#After with @Carol',
      hashtags: ['after'],
      mentions: ['carol'],
    });
    const [event] = await published('post.updated', id);
    expect(event?.data).toMatchObject({ hashtags: ['after'], mentions: ['carol'] });
  });

  test('when someone else edits or deletes, then 403; without caller 401; unknown 404; bad body 400', async () => {
    const id = await createPost(alice, 'not yours');
    expectProblem(
      await call('PATCH', `/posts/${id}`, { as: bob, body: { text: 'mine now' } }),
      403,
    );
    expectProblem(await call('DELETE', `/posts/${id}`, { as: bob }), 403);
    expectProblem(await call('PATCH', `/posts/${id}`, { body: { text: 'anon' } }), 401);
    expectProblem(await call('DELETE', `/posts/${id}`), 401);
    expectProblem(
      await call('PATCH', `/posts/${randomUUID()}`, { as: bob, body: { text: 'x' } }),
      404,
    );
    expectProblem(await call('DELETE', `/posts/${randomUUID()}`, { as: bob }), 404);
    expectProblem(
      await call('PATCH', `/posts/${id}`, { as: alice, body: { text: 'x'.repeat(501) } }),
      400,
    );
    expectProblem(await call('PATCH', `/posts/${id}`, { as: alice, body: {} }), 400);
    expectProblem(await call('DELETE', '/posts/123', { as: alice }), 400);
    expect((await call('GET', `/posts/${id}`)).body.text).toBe('not yours');
  });

  test('when the author deletes, then 204, the post and its likes are gone and post.deleted is published', async () => {
    const id = await createPost(alice, 'short-lived');
    await call('POST', `/posts/${id}/like`, { as: bob });
    expect((await call('DELETE', `/posts/${id}`, { as: alice })).status).toBe(204);
    expectProblem(await call('GET', `/posts/${id}`), 404);
    expectProblem(await call('GET', `/posts/${id}/likes`), 404);
    expectProblem(await call('DELETE', `/posts/${id}`, { as: alice }), 404);
    const [event] = await published('post.deleted', id);
    expect(event?.data).toMatchObject({ postId: id, authorId: alice.id });
  });
});

describe('likes', () => {
  test('when liking twice, then one like, count 1, one like.created', async () => {
    const id = await createPost(alice, 'likeable');
    const first = await call('POST', `/posts/${id}/like`, { as: bob });
    const second = await call('POST', `/posts/${id}/like`, { as: bob });
    expect(first.body).toEqual({ postId: id, liked: true, likesCount: 1 });
    expect(second.body).toEqual({ postId: id, liked: true, likesCount: 1 });
    expect((await call('GET', `/posts/${id}`)).body.likesCount).toBe(1);
    const [event] = await published('like.created', id);
    expect(event?.data).toMatchObject({ userId: bob.id, postAuthorId: alice.id });
    await new Promise((r) => setTimeout(r, 200));
    expect(probe.of('like.created').filter((e) => e.data.postId === id)).toHaveLength(1);
  });

  test('when a reader likes a post, then every read of it says so for them alone: the post, its thread (as parent and as reply), the list, and their edit', async () => {
    const parent = await createPost(alice, 'liked by bob');
    const reply = await createPost(alice, 'a reply, also liked', parent);
    for (const id of [parent, reply]) await call('POST', `/posts/${id}/like`, { as: bob });
    const liked = async (as: User | undefined, id: string) =>
      (await call('GET', `/posts/${id}`, as ? { as } : {})).body.likedByMe;
    expect([
      await liked(bob, parent),
      await liked(carol, parent),
      await liked(undefined, parent),
    ]).toEqual([true, false, false]);

    const asParent = (await call('GET', `/posts/${parent}/thread`, { as: bob })).body;
    expect(asParent.post.likedByMe).toBe(true);
    expect(asParent.replies.map((r: { likedByMe: boolean }) => r.likedByMe)).toEqual([true]);
    const asReply = (await call('GET', `/posts/${reply}/thread`, { as: bob })).body;
    expect(asReply.ancestors[0].likedByMe).toBe(true);
    expect((await call('GET', `/posts/${reply}/thread`, { as: carol })).body.post.likedByMe).toBe(
      false,
    );

    const page = (await call('GET', '/posts?limit=5', { as: bob })).body.items as Array<{
      id: string;
      likedByMe: boolean;
      authorDisplayName: string;
    }>;
    expect(page.filter((p) => [parent, reply].includes(p.id)).map((p) => p.likedByMe)).toEqual([
      true,
      true,
    ]);
    expect(page[0]!.authorDisplayName).toBe('alice'); // no display name set: the username

    await call('POST', `/posts/${reply}/like`, { as: alice });
    const edited = await call('PATCH', `/posts/${reply}`, { as: alice, body: { text: 'edited' } });
    expect(edited.body).toMatchObject({ text: 'edited', likedByMe: true, likesCount: 2 });
  });

  test('when many users like at once, then every like is counted', async () => {
    const id = await createPost(alice, 'popular');
    const users = Array.from({ length: 8 }, (_, i) => ({ id: randomUUID(), username: `fan${i}` }));
    const answers = await Promise.all(users.map((as) => call('POST', `/posts/${id}/like`, { as })));
    expect(answers.map((a) => a.status)).toEqual(users.map(() => 200));
    expect((await call('GET', `/posts/${id}`)).body.likesCount).toBe(8);
  });

  test('when unliking twice, then the like goes once and like.deleted is published once', async () => {
    const id = await createPost(alice, 'unlikeable');
    await call('POST', `/posts/${id}/like`, { as: carol });
    const first = await call('DELETE', `/posts/${id}/like`, { as: carol });
    const second = await call('DELETE', `/posts/${id}/like`, { as: carol });
    expect(first.body).toEqual({ postId: id, liked: false, likesCount: 0 });
    expect(second.body).toEqual({ postId: id, liked: false, likesCount: 0 });
    await published('like.deleted', id);
    await new Promise((r) => setTimeout(r, 200));
    expect(probe.of('like.deleted').filter((e) => e.data.postId === id)).toHaveLength(1);
  });

  test('when listing likes, then newest first with userId and likedAt, paginated', async () => {
    const id = await createPost(alice, 'liked by many');
    for (const as of [alice, bob, carol]) await call('POST', `/posts/${id}/like`, { as });
    const first = await call('GET', `/posts/${id}/likes?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((l: { userId: string }) => l.userId)).toEqual([carol.id, bob.id]);
    expect(first.body.items[0].likedAt).toEqual(expect.any(String));
    const second = await call('GET', `/posts/${id}/likes?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ userId: alice.id })] });
  });

  test('when liking without caller, an unknown or malformed post, then 401, 404, 400', async () => {
    const id = await createPost(alice, 'x');
    expectProblem(await call('POST', `/posts/${id}/like`), 401);
    expectProblem(await call('DELETE', `/posts/${id}/like`), 401);
    expectProblem(await call('POST', `/posts/${randomUUID()}/like`, { as: bob }), 404);
    expectProblem(await call('DELETE', `/posts/${randomUUID()}/like`, { as: bob }), 404);
    expectProblem(await call('GET', `/posts/${randomUUID()}/likes`), 404);
    expectProblem(await call('POST', '/posts/nope/like', { as: bob }), 400);
  });
});

describe('bookmarks', () => {
  test('when a reader bookmarks posts, then only they see them, newest first and paged, every read of the post says so for them, and one taken away leaves the list', async () => {
    const [older, newer] = [await createPost(alice, 'keep me'), await createPost(carol, 'me too')];
    expect((await call('POST', `/posts/${older}/bookmark`, { as: bob })).body).toEqual({
      postId: older,
      bookmarked: true,
    });
    expect((await call('POST', `/posts/${older}/bookmark`, { as: bob })).status).toBe(200);
    await call('POST', `/posts/${newer}/bookmark`, { as: bob });
    const ids = (body: { items: Array<{ id: string }> }) => body.items.map((p) => p.id);
    const first = await call('GET', '/bookmarks?limit=1', { as: bob });
    expect(ids(first.body)).toEqual([newer]);
    const rest = await call('GET', `/bookmarks?limit=1&cursor=${first.body.nextCursor}`, {
      as: bob,
    });
    expect(ids(rest.body)).toEqual([older]);
    expect(rest.body.items[0]).toMatchObject({ text: 'keep me', bookmarkedByMe: true });
    expect((await call('GET', `/posts/${older}`, { as: bob })).body.bookmarkedByMe).toBe(true);
    expect((await call('GET', `/posts/${older}`, { as: carol })).body.bookmarkedByMe).toBe(false);
    expect(ids((await call('GET', '/bookmarks', { as: carol })).body)).toEqual([]);

    expect((await call('DELETE', `/posts/${newer}/bookmark`, { as: bob })).body).toEqual({
      postId: newer,
      bookmarked: false,
    });
    expect(ids((await call('GET', '/bookmarks', { as: bob })).body)).toEqual([older]);
    expectProblem(await call('POST', `/posts/${randomUUID()}/bookmark`, { as: bob }), 404);
    expectProblem(await call('POST', '/posts/not-a-uuid/bookmark', { as: bob }), 400);
    expectProblem(await call('GET', '/bookmarks?cursor=garbage', { as: bob }), 400);
  });
});

describe('events consumed', () => {
  const comment = (postId: string) => ({
    commentId: randomUUID(),
    postId,
    postAuthorId: alice.id,
    authorId: bob.id,
    text: 'nice',
    at: new Date().toISOString(),
  });

  test('when comment events arrive, also redelivered, then commentsCount moves once per event', async () => {
    const id = await createPost(alice, 'comment on me');
    const created = comment(id);
    const createdId = randomUUID();
    await probe.publish('comment.created', created, createdId);
    await probe.publish('comment.created', created, createdId);
    await probe.publish('comment.created', comment(id), randomUUID());
    await eventually(async () =>
      (await call('GET', `/posts/${id}`)).body.commentsCount === 2 ? true : undefined,
    );
    await probe.publish('comment.deleted', created, randomUUID());
    await eventually(async () =>
      (await call('GET', `/posts/${id}`)).body.commentsCount === 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect((await call('GET', `/posts/${id}`)).body.commentsCount).toBe(1);
  });

  test('when user.deleted arrives (twice), then their posts and likes go once, with events and counts', async () => {
    const dave: User = { id: randomUUID(), username: 'dave' };
    const davePosts = [await createPost(dave, 'dave 1'), await createPost(dave, 'dave 2')];
    const alicePost = await createPost(alice, 'liked by dave');
    await call('POST', `/posts/${alicePost}/like`, { as: dave });
    await call('POST', `/posts/${davePosts[0]}/like`, { as: alice });
    expect((await call('GET', `/internal/users/${dave.id}/counts`)).body).toEqual({ posts: 2 });
    const eventId = randomUUID();
    const payload = { userId: dave.id, username: 'dave', at: new Date().toISOString() };
    await probe.publish('user.deleted', payload, eventId);
    await probe.publish('user.deleted', payload, eventId);
    for (const id of davePosts) await published('post.deleted', id);
    const [unliked] = await published('like.deleted', alicePost);
    expect(unliked?.data).toMatchObject({ userId: dave.id, postAuthorId: alice.id });
    expectProblem(await call('GET', `/posts/${davePosts[0]}`), 404);
    expect((await call('GET', `/posts/${alicePost}`)).body.likesCount).toBe(0);
    expect((await call('GET', `/internal/users/${dave.id}/counts`)).body).toEqual({ posts: 0 });
    await new Promise((r) => setTimeout(r, 300));
    for (const id of davePosts)
      expect(probe.of('post.deleted').filter((e) => e.data.postId === id)).toHaveLength(1);
    expect(probe.of('like.deleted').filter((e) => e.data.postId === alicePost)).toHaveLength(1);
  });

  test('when a malformed event arrives, then it is dropped and nothing changes', async () => {
    const id = await createPost(alice, 'robust');
    await probe.publish('comment.created', { postId: id }, randomUUID());
    await new Promise((r) => setTimeout(r, 200));
    expect((await call('GET', `/posts/${id}`)).body.commentsCount).toBe(0);
  });
});

describe('internal counts', () => {
  test('when asked for a user’s counts, then it reports their live posts', async () => {
    const erin: User = { id: randomUUID(), username: 'erin' };
    expect((await call('GET', `/internal/users/${erin.id}/counts`)).body).toEqual({ posts: 0 });
    const id = await createPost(erin, 'one');
    await createPost(erin, 'two');
    await call('DELETE', `/posts/${id}`, { as: erin });
    expect((await call('GET', `/internal/users/${erin.id}/counts`)).body).toEqual({ posts: 1 });
  });
});

describe('internal batch read (timeline pages)', () => {
  const batch = (body: unknown) => call('POST', '/internal/posts/batch', { body });

  test('when a page of ids is read for a reader, then the live posts come in that order with the author’s display name and the reader’s like', async () => {
    const fay: User = { id: randomUUID(), username: 'fay' };
    const at = (ms: number) => new Date(Date.now() - ms).toISOString();
    await probe.publish(
      'user.registered',
      {
        userId: fay.id,
        username: 'fay',
        email: 'fay@example.com',
        at: at(2000),
      },
      randomUUID(),
    );
    const [first, second, gone] = [
      await createPost(fay, 'first'),
      await createPost(fay, 'second'),
      await createPost(fay, 'gone'),
    ];
    await call('POST', `/posts/${first}/like`, { as: bob });
    await call('DELETE', `/posts/${gone}`, { as: fay });
    const ids = [second, randomUUID(), gone, first];
    const read = await eventually(async () => {
      const { status, body } = await batch({ ids, viewerId: bob.id });
      return status === 200 && body.items.length === 2 ? body : undefined;
    });
    expect(read.items.map((p: { id: string }) => p.id)).toEqual([second, first]);
    expect(read.items[1]).toMatchObject({
      text: 'first',
      authorUsername: 'fay',
      authorDisplayName: 'fay',
      likesCount: 1,
      likedByMe: true,
    });
    expect(read.items[0].likedByMe).toBe(false);
    expect((await batch({ ids })).body.items[1].likedByMe).toBe(false); // anonymous reader

    // A later rename shows at once; an older event arriving late changes nothing.
    const renamed = { userId: fay.id, username: 'fay', email: 'f@x', bio: '' };
    await probe.publish(
      'user.updated',
      { ...renamed, displayName: 'Fay F.', at: at(1000) },
      randomUUID(),
    );
    await probe.publish(
      'user.updated',
      { ...renamed, displayName: 'Old', at: at(1500) },
      randomUUID(),
    );
    await eventually(async () =>
      (await batch({ ids: [first] })).body.items[0]?.authorDisplayName === 'Fay F.'
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect((await batch({ ids: [first] })).body.items[0].authorDisplayName).toBe('Fay F.');
    // Posting keeps the name (the post count shares the author record).
    await createPost(fay, 'third');
    expect((await batch({ ids: [first] })).body.items[0].authorDisplayName).toBe('Fay F.');
  });

  test('when the batch is malformed or too large, then 400 problem+json', async () => {
    expectProblem(await batch({ ids: 'x' }), 400);
    expectProblem(await batch({ ids: Array.from({ length: 101 }, () => randomUUID()) }), 400);
  });
});
