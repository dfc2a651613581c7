import { randomUUID } from 'node:crypto';
import { AppError, type Dapr } from '@flock/kit';
import { postsClient } from '@flock/posts/client';
import { startSidecar, type Sidecar } from '@flock/sidecar';
import {
  callerDapr,
  client,
  edgeApp,
  startServiceUnderTest,
  type ServiceUnderTest,
} from '@flock/testing';
import { postsConfigSchema } from '../src/posts.config.js';
import { buildService } from '../src/posts.service.js';

const alice = { id: randomUUID(), username: 'alice' };

/** The client against the real posts service, through its sidecar. */
describe('postsClient', () => {
  let service: ServiceUnderTest<ReturnType<typeof buildService>>;
  let dapr: Dapr;
  let posts: ReturnType<typeof postsClient>;

  beforeAll(async () => {
    service = await startServiceUnderTest({
      appId: 'posts',
      configSchema: postsConfigSchema,
      build: buildService,
    });
    dapr = callerDapr(service.sidecar.port);
    posts = postsClient(dapr);
  });

  afterAll(async () => {
    await dapr?.close();
    await service?.stop();
  });

  const createPost = async (text: string): Promise<string> => {
    const response = await client(service.url)('POST', '/posts', { as: alice, body: { text } });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };

  test('when a post exists, then get answers it; an unknown or deleted one is undefined', async () => {
    const id = await createPost('hello #flock');
    expect(await posts.get(id)).toMatchObject({ id, authorId: alice.id, hashtags: ['flock'] });
    expect(await posts.get(randomUUID())).toBeUndefined();
    const gone = await createPost('soon gone');
    expect((await client(service.url)('DELETE', `/posts/${gone}`, { as: alice })).status).toBe(204);
    expect(await posts.get(gone)).toBeUndefined();
  });

  test('when a malformed id is asked for, then the 400 reaches the caller', async () => {
    await expect(posts.get('nope')).rejects.toMatchObject({ status: 400 });
  });

  test('when a batch is read, then the live posts in the order asked, as the viewer sees them', async () => {
    const [first, second] = [await createPost('one'), await createPost('two')];
    const items = await posts.batch([second, randomUUID(), first], alice.id);
    expect(items.map((post) => [post.id, post.likedByMe])).toEqual([
      [second, false],
      [first, false],
    ]);
    expect(await posts.batch([])).toEqual([]);
  });

  test("when an author's counts are asked for, then their live posts are counted", async () => {
    const author = { id: randomUUID(), username: 'counted' };
    await client(service.url)('POST', '/posts', { as: author, body: { text: 'mine' } });
    expect(await posts.authorCounts(author.id)).toEqual({ posts: 1 });
  });
});

describe('postsClient against an answer that breaks the contract', () => {
  let stub: Awaited<ReturnType<typeof edgeApp>>;
  let sidecar: Sidecar;
  let dapr: Dapr;

  beforeAll(async () => {
    stub = await edgeApp(() => ({ status: 200, body: { id: randomUUID() } }));
    sidecar = await startSidecar({
      appId: 'caller',
      httpPort: 0,
      components: [],
      logLevel: 'silent',
      resolveApp: (id) => (id === 'posts' ? { host: '127.0.0.1', port: stub.port } : undefined),
    });
    dapr = callerDapr(sidecar.port);
  });

  afterAll(async () => {
    await dapr?.close();
    await sidecar?.stop();
    await new Promise((resolve) => stub?.server.close(resolve));
  });

  test('when posts answers a body its schema does not allow, then a 502, not a 400', async () => {
    const failure = await postsClient(dapr)
      .get(randomUUID())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ status: 502, name: 'dependency-failed' });
  });
});
