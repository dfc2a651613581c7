import { randomUUID } from 'node:crypto';
import { FORWARDED_PREFIX_HEADER, PUBLIC_API_PREFIX } from '@flock/kit';
import { commentsConfigSchema } from '../src/comments.config.js';
import { buildService } from '../src/comments.service.js';
// The real posts service runs beside comments: comments asks it whether a post exists, and it
// counts comments from comment.* events.
import { postsConfigSchema } from '../../posts/src/posts.config.js';
import { buildService as buildPostsService } from '../../posts/src/posts.service.js';
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

let posts: ServiceUnderTest<ReturnType<typeof buildPostsService>>;
let comments: ServiceUnderTest<ReturnType<typeof buildService>>;
let probe: Probe;
let call: ReturnType<typeof client>;
let callPosts: ReturnType<typeof client>;

beforeAll(async () => {
  probe = await startProbe(['comment.created', 'comment.deleted']);
  posts = await startServiceUnderTest({
    appId: 'posts',
    configSchema: postsConfigSchema,
    build: buildPostsService,
  });
  comments = await startServiceUnderTest({
    appId: 'comments',
    configSchema: commentsConfigSchema,
    build: buildService,
    apps: { posts: posts.port },
  });
  call = client(comments.url);
  callPosts = client(posts.url);
});

afterAll(async () => {
  await comments?.stop();
  await posts?.stop();
  await probe?.stop();
});

async function createPost(as: User, text = 'a post'): Promise<string> {
  const response = await callPosts('POST', '/posts', { as, body: { text } });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

async function comment(as: User, postId: string, text = 'a comment'): Promise<string> {
  const response = await call('POST', `/posts/${postId}/comments`, { as, body: { text } });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

const eventsFor = (topic: string, commentId: string) =>
  probe.of(topic).filter((e) => e.data.commentId === commentId);

const commentsCount = async (postId: string) =>
  (await callPosts('GET', `/posts/${postId}`)).body.commentsCount as number;

describe('POST /posts/:id/comments', () => {
  test('when a user comments, then 201, comment.created with the post author, and the post counts it', async () => {
    const postId = await createPost(alice);
    const response = await call('POST', `/posts/${postId}/comments`, {
      as: bob,
      body: { text: '  Nice post!  ' },
      headers: { [FORWARDED_PREFIX_HEADER]: PUBLIC_API_PREFIX }, // as the gateway names its prefix
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/api/flock/v1/comments/${response.body.id}`);
    expect(response.body).toMatchObject({
      postId,
      authorId: bob.id,
      authorUsername: 'bob',
      text: 'Nice post!',
    });
    const [event] = await eventually(() => {
      const found = eventsFor('comment.created', response.body.id);
      return found.length ? found : undefined;
    });
    expect(event?.data).toMatchObject({ postId, postAuthorId: alice.id, authorId: bob.id });
    await eventually(async () => ((await commentsCount(postId)) === 1 ? true : undefined));
  });

  test('when the post does not exist or the id is malformed, then 404 or 400', async () => {
    expectProblem(
      await call('POST', `/posts/${randomUUID()}/comments`, { as: bob, body: { text: 'x' } }),
      404,
    );
    expectProblem(
      await call('POST', '/posts/nope/comments', { as: bob, body: { text: 'x' } }),
      400,
    );
  });

  test('when there is no caller, then 401', async () => {
    const postId = await createPost(alice);
    expectProblem(await call('POST', `/posts/${postId}/comments`, { body: { text: 'x' } }), 401);
  });

  test.each([
    ['the text is missing', {}],
    ['the text is not a string', { text: ['x'] }],
    ['the text is whitespace only', { text: ' \t ' }],
    ['the text is 501 characters', { text: 'y'.repeat(501) }],
  ])('when %s, then 400 problem+json', async (_case, body) => {
    const postId = await createPost(alice);
    const response = await call('POST', `/posts/${postId}/comments`, { as: bob, body });
    expectProblem(response, 400);
    expect(response.body.errors[0].path).toBe('text');
  });
});

describe('GET /posts/:id/comments', () => {
  test('when listing, then comments come oldest first, page by page with Link', async () => {
    const postId = await createPost(alice);
    const ids = [];
    for (const text of ['one', 'two', 'three']) ids.push(await comment(bob, postId, text));
    const first = await call('GET', `/posts/${postId}/comments?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await call(
      'GET',
      `/posts/${postId}/comments?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2]]);
    expect(second.body.nextCursor).toBeUndefined();
  });

  test('when a post has no comments, then an empty list; unknown post → 404; bad cursor → 400', async () => {
    const postId = await createPost(alice);
    expect((await call('GET', `/posts/${postId}/comments`)).body).toEqual({ items: [] });
    expectProblem(await call('GET', `/posts/${randomUUID()}/comments`), 404);
    expectProblem(await call('GET', `/posts/${postId}/comments?cursor=zzz`), 400);
  });
});

describe('PATCH and DELETE /comments/:id', () => {
  test('when the author edits, then 200 with the new text', async () => {
    const postId = await createPost(alice);
    const id = await comment(bob, postId);
    const response = await call('PATCH', `/comments/${id}`, { as: bob, body: { text: 'edited' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, text: 'edited' });
  });

  test('when someone else, nobody, or a bad request touches a comment, then 403, 401, 404, 400', async () => {
    const postId = await createPost(alice);
    const id = await comment(bob, postId, 'keep');
    expectProblem(await call('PATCH', `/comments/${id}`, { as: alice, body: { text: 'x' } }), 403);
    expectProblem(await call('DELETE', `/comments/${id}`, { as: alice }), 403);
    expectProblem(await call('PATCH', `/comments/${id}`, { body: { text: 'x' } }), 401);
    expectProblem(await call('DELETE', `/comments/${id}`), 401);
    expectProblem(
      await call('PATCH', `/comments/${randomUUID()}`, { as: bob, body: { text: 'x' } }),
      404,
    );
    expectProblem(await call('DELETE', `/comments/${randomUUID()}`, { as: bob }), 404);
    expectProblem(await call('PATCH', `/comments/${id}`, { as: bob, body: { text: '' } }), 400);
    expectProblem(await call('DELETE', '/comments/42', { as: bob }), 400);
    const list = await call('GET', `/posts/${postId}/comments`);
    expect(list.body.items[0].text).toBe('keep');
  });

  test('when the author deletes, then 204, comment.deleted, and the post count drops', async () => {
    const postId = await createPost(alice);
    const id = await comment(bob, postId);
    await eventually(async () => ((await commentsCount(postId)) === 1 ? true : undefined));
    expect((await call('DELETE', `/comments/${id}`, { as: bob })).status).toBe(204);
    expectProblem(await call('DELETE', `/comments/${id}`, { as: bob }), 404);
    const [event] = await eventually(() => {
      const found = eventsFor('comment.deleted', id);
      return found.length ? found : undefined;
    });
    expect(event?.data).toMatchObject({ postId, postAuthorId: alice.id, authorId: bob.id });
    await eventually(async () => ((await commentsCount(postId)) === 0 ? true : undefined));
  });
});

describe('cascades', () => {
  test('when the post is deleted, then its comments go, each with comment.deleted, and new ones are refused', async () => {
    const postId = await createPost(alice);
    const ids = [await comment(bob, postId), await comment(alice, postId)];
    expect((await callPosts('DELETE', `/posts/${postId}`, { as: alice })).status).toBe(204);
    await eventually(() =>
      ids.every((id) => eventsFor('comment.deleted', id).length) ? true : undefined,
    );
    expectProblem(await call('GET', `/posts/${postId}/comments`), 404);
    expectProblem(
      await call('POST', `/posts/${postId}/comments`, { as: bob, body: { text: 'late' } }),
      404,
    );
  });

  test('when post.deleted and user.deleted are redelivered, then nothing more happens', async () => {
    const carol: User = { id: randomUUID(), username: 'carol' };
    const postId = await createPost(alice);
    const carols = [await comment(carol, postId), await comment(carol, postId)];
    const kept = await comment(bob, postId);
    const eventId = randomUUID();
    const payload = { userId: carol.id, username: 'carol', at: new Date().toISOString() };
    await probe.publish('user.deleted', payload, eventId);
    await probe.publish('user.deleted', payload, eventId);
    await probe.publish('user.deleted', payload, randomUUID());
    await eventually(() =>
      carols.every((id) => eventsFor('comment.deleted', id).length) ? true : undefined,
    );
    const list = await call('GET', `/posts/${postId}/comments`);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([kept]);
    const deleted = { postId, authorId: alice.id, at: new Date().toISOString() };
    const postEventId = randomUUID();
    await probe.publish('post.deleted', deleted, postEventId);
    await probe.publish('post.deleted', deleted, postEventId);
    await eventually(() => (eventsFor('comment.deleted', kept).length ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    for (const id of [...carols, kept]) expect(eventsFor('comment.deleted', id)).toHaveLength(1);
  });
});
