import {
  eventually,
  startTestPlatform,
  type Session,
  type TestPlatform,
  platformLabel,
} from '@flock/testing';

/**
 * The whole embedded platform, as `npm start` runs it, on free ports and a throwaway data
 * folder: accounts and tokens, then the social core as a newcomer meets it with curl: two
 * people, a follow, a post in the follower's home timeline, a like, a comment, an unfollow, an
 * account deletion — all through the gateway.
 */
describe(`the platform end to end, through the gateway (${platformLabel()})`, () => {
  let flock: TestPlatform;
  let platform: TestPlatform['platform'];
  let api: string;
  let alice: Session;
  let bob: Session;

  const call = (method: string, route: string, token?: string, body?: unknown) =>
    flock.call(method, route, token, body);
  const signUp = (username: string) => flock.signUp(username);

  /** The first item of a timeline page. */
  const firstItem = async (route: string, token?: string) =>
    ((await call('GET', route, token)).body.items as Array<Record<string, unknown>>)[0];

  const homeTimeline = async (session: Session) =>
    (
      (await call('GET', '/timeline/home', session.accessToken)).body.items as Array<{
        postId: string;
      }>
    ).map((i) => i.postId);

  beforeAll(async () => {
    flock = await startTestPlatform({ env: { REVOCATION_CACHE_MS: '0' } });
    platform = flock.platform;
    api = `${flock.gatewayUrl}/api/flock/v1`;
    alice = await signUp('alice');
    bob = await signUp('bob');
  }, 240_000);

  afterAll(() => flock?.stop(), 30_000);

  describe('accounts and tokens', () => {
    const post = (route: string, body: unknown) =>
      fetch(`${api}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const newcomer = {
      username: 'Alice_1',
      email: 'Alice_1@Example.com',
      password: 'correct horse battery',
    };

    test('when a newcomer registers, logs in and reads their profile, then each step answers as documented', async () => {
      const registered = await post('/auth/register', newcomer);
      expect(registered.status).toBe(202);
      expect(JSON.stringify(await registered.json())).not.toMatch(/alice|horse/i);

      const login = await post('/auth/login', {
        login: 'alice_1@example.com',
        password: newcomer.password,
      });
      expect(login.status).toBe(200);
      const session = (await login.json()) as {
        accessToken: string;
        expiresIn: number;
        user: { id: string };
      };
      expect(session.expiresIn).toBeLessThanOrEqual(900);

      const profile = await fetch(`${api}/users/${session.user.id}`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      expect(profile.status).toBe(200);
      expect(await profile.json()).toMatchObject({ id: session.user.id, username: 'alice_1' });
    });

    test('when the username is taken in another case, then 409', async () => {
      const response = await post('/auth/register', {
        ...newcomer,
        username: 'ALICE_1',
        email: 'other@example.com',
      });
      expect(response.status).toBe(409);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    });

    test('when the password is wrong or the user unknown, then the same 401', async () => {
      const wrong = await post('/auth/login', { login: 'alice_1', password: 'not the password' });
      const unknown = await post('/auth/login', {
        login: 'nobody_here',
        password: 'not the password',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(((await wrong.json()) as { detail: string }).detail).toBe(
        ((await unknown.json()) as { detail: string }).detail,
      );
    });

    test('when registration input is bad, then 400 names the fields', async () => {
      const response = await post('/auth/register', {
        username: 'x',
        email: 'not-an-email',
        password: 'short',
      });
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { errors: Array<{ path: string }> };
      expect(problem.errors.map((e) => e.path).sort()).toEqual(['email', 'password', 'username']);
    });

    test('when the user does not exist or the id is malformed, then 404 or 400', async () => {
      expect((await fetch(`${api}/users/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
      expect((await fetch(`${api}/users/not-a-uuid`)).status).toBe(400);
    });

    test('when the token is forged or alg none, then 401', async () => {
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","username":"x"}').toString('base64url')}.`;
      for (const token of [none, 'abc.def.ghi']) {
        const response = await fetch(`${api}/users/00000000-0000-4000-8000-000000000000`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(401);
      }
    });

    test('when someone calls a service directly without its sidecar token, then 401', async () => {
      const users = platform.apps.find((app) => app.appId === 'users')!;
      expect((await fetch(`${users.url}/users/00000000-0000-4000-8000-000000000000`)).status).toBe(
        401,
      );
    });
  });

  test('when bob follows alice and she posts, then the post reaches his home timeline; likes and comments count', async () => {
    expect((await call('POST', `/users/${alice.user.id}/follow`, bob.accessToken)).status).toBe(
      200,
    );
    const posted = await call('POST', '/posts', alice.accessToken, {
      text: 'hello #Flock, hi @bob',
    });
    expect(posted.status).toBe(201);
    const postId = posted.body.id as string;
    expect(posted.body).toMatchObject({ hashtags: ['flock'], mentions: ['bob'] });

    await eventually(async () => ((await homeTimeline(bob)).includes(postId) ? true : undefined));

    expect((await call('POST', `/posts/${postId}/like`, bob.accessToken)).status).toBe(200);
    expect((await call('POST', `/posts/${postId}/like`, bob.accessToken)).body).toMatchObject({
      liked: true,
      likesCount: 1,
    });
    const comment = await call('POST', `/posts/${postId}/comments`, bob.accessToken, {
      text: 'welcome!',
    });
    expect(comment.status).toBe(201);
    const comments = await call('GET', `/posts/${postId}/comments`);
    expect((comments.body.items as Array<{ text: string }>).map((c) => c.text)).toEqual([
      'welcome!',
    ]);
    await eventually(async () => {
      const post = (await call('GET', `/posts/${postId}`)).body;
      return post.likesCount === 1 && post.commentsCount === 1 ? post : undefined;
    });
    // One request shows a timeline page: whole posts, as the reader sees them.
    expect(await firstItem('/timeline/home?limit=1', bob.accessToken)).toMatchObject({
      postId,
      id: postId,
      authorId: alice.user.id,
      authorUsername: 'alice',
      authorDisplayName: 'alice',
      text: 'hello #Flock, hi @bob',
      likesCount: 1,
      commentsCount: 1,
      likedByMe: true,
    });
    expect(await firstItem(`/users/${alice.user.id}/timeline?limit=1`)).toMatchObject({
      id: postId,
      likesCount: 1,
      likedByMe: false,
    });
    const profile = await eventually(async () => {
      const body = (await call('GET', `/users/${alice.user.id}`)).body;
      return body.followers === 1 && body.posts === 1 ? body : undefined;
    });
    expect(profile).toMatchObject({ username: 'alice', followers: 1, following: 0, posts: 1 });
    // A new display name shows in the timeline her followers read.
    const renamed = await call('PATCH', `/users/${alice.user.id}`, alice.accessToken, {
      displayName: 'Alice A.',
    });
    expect(renamed.status).toBe(200);
    await eventually(async () => {
      const first = await firstItem('/timeline/home?limit=1', bob.accessToken);
      return first?.authorDisplayName === 'Alice A.' ? true : undefined;
    });
  });

  test('when bob unfollows alice, then her posts vanish from his home timeline', async () => {
    const postId = (await call('POST', '/posts', alice.accessToken, { text: 'second post' })).body
      .id as string;
    await eventually(async () => ((await homeTimeline(bob)).includes(postId) ? true : undefined));
    expect((await call('DELETE', `/users/${alice.user.id}/follow`, bob.accessToken)).status).toBe(
      204,
    );
    await eventually(async () => ((await homeTimeline(bob)).length === 0 ? true : undefined));
  });

  test("when someone edits or deletes another person's post, then 403; unknown ids 404; no token 401", async () => {
    const postId = (await call('POST', '/posts', alice.accessToken, { text: 'mine' })).body
      .id as string;
    expect(
      (await call('PATCH', `/posts/${postId}`, bob.accessToken, { text: 'yours now' })).status,
    ).toBe(403);
    expect((await call('DELETE', `/posts/${postId}`, bob.accessToken)).status).toBe(403);
    expect(
      (await call('PATCH', `/users/${alice.user.id}`, bob.accessToken, { bio: 'hacked' })).status,
    ).toBe(403);
    expect((await call('GET', '/posts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('POST', '/posts', undefined, { text: 'anonymous' })).status).toBe(401);
    expect(
      (await call('POST', '/posts', alice.accessToken, { text: 'x'.repeat(501) })).status,
    ).toBe(400);
  });

  test('when a session is refreshed and then logged out, then the old tokens stop working', async () => {
    const carol = await signUp('carol');
    const refreshed = await call('POST', '/auth/refresh', undefined, {
      refreshToken: carol.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    const session = refreshed.body as unknown as Session;
    expect((await call('GET', '/me', session.accessToken)).body).toMatchObject({
      username: 'carol',
      email: 'carol@example.com',
    });
    expect(
      (
        await call('POST', '/auth/logout', session.accessToken, {
          refreshToken: session.refreshToken,
        })
      ).status,
    ).toBe(204);
    expect((await call('GET', '/me', session.accessToken)).status).toBe(401);
    for (const refreshToken of [session.refreshToken, carol.refreshToken])
      expect((await call('POST', '/auth/refresh', undefined, { refreshToken })).status).toBe(401);
  });

  test('when alice deletes her account, then her profile, posts, follows and comments are gone everywhere', async () => {
    const dave = await signUp('dave');
    expect((await call('POST', `/users/${alice.user.id}/follow`, dave.accessToken)).status).toBe(
      200,
    );
    const postId = (await call('POST', '/posts', alice.accessToken, { text: 'last words' })).body
      .id as string;
    await call('POST', `/posts/${postId}/comments`, dave.accessToken, { text: 'noted' });
    const ownComment = await call('POST', `/posts/${postId}/comments`, alice.accessToken, {
      text: 'my own',
    });
    expect(ownComment.status).toBe(201);
    await eventually(async () => ((await homeTimeline(dave)).includes(postId) ? true : undefined));

    expect((await call('DELETE', `/users/${alice.user.id}`, alice.accessToken)).status).toBe(204);

    expect((await call('GET', `/users/${alice.user.id}`)).status).toBe(404);
    await eventually(async () =>
      (await call('GET', `/posts/${postId}`)).status === 404 ? true : undefined,
    );
    await eventually(async () => ((await homeTimeline(dave)).includes(postId) ? undefined : true));
    await eventually(async () => {
      const following = (await call('GET', `/users/${dave.user.id}/following`)).body
        .items as unknown[];
      return following.length === 0 ? true : undefined;
    });
    await eventually(async () => {
      const comments = await call('GET', `/posts/${postId}/comments`);
      return comments.status === 404 || (comments.body.items as unknown[]).length === 0
        ? true
        : undefined;
    });
    expect(
      (
        await call('POST', '/auth/login', undefined, {
          login: 'alice',
          password: 'correct horse battery',
        })
      ).status,
    ).toBe(401);
  });

  test('when a client asks for the API description, then OpenAPI 3.1 lists every public route', async () => {
    const document = (await (await fetch(`${platform.gatewayUrl}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toBe('3.1.0');
    for (const route of [
      '/auth/register',
      '/posts/{id}',
      '/users/{id}/follow',
      '/timeline/home',
      '/posts/{id}/comments',
    ]) {
      expect(Object.keys(document.paths)).toContain(route);
    }
    expect((await fetch(`${platform.gatewayUrl}/docs`)).status).toBe(200);
  });

  test('when lists are paged, then nextCursor and a Link header lead to the next page', async () => {
    const first = await call('GET', '/users?limit=1');
    expect((first.body.items as unknown[]).length).toBe(1);
    const link = first.headers.get('link');
    expect(link).toMatch(/^<\/api\/flock\/v1\/users\?limit=1&cursor=[^>]+>; rel="next"$/);
    const next = await fetch(`${platform.gatewayUrl}${/<([^>]+)>/.exec(link!)![1]}`);
    expect(next.status).toBe(200);
    expect((await call('GET', '/users?cursor=garbage')).status).toBe(400);
  });

  test('when posts and comments are paged one at a time, then every page after the first follows on, none twice', async () => {
    const pager = await signUp('pager');
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      ids.push((await call('POST', '/posts', pager.accessToken, { text })).body.id as string);
    }
    const commentIds: string[] = [];
    for (const text of ['a', 'b', 'c']) {
      const made = await call('POST', `/posts/${ids[0]}/comments`, pager.accessToken, { text });
      commentIds.push(made.body.id as string);
    }
    const walk = async (route: string, count: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(
          'GET',
          `${route}${route.includes('?') ? '&' : '?'}limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...(page.body.items as Array<{ id: string }>).map((item) => item.id));
        cursor = page.body.nextCursor as string | undefined;
      } while (cursor && seen.length < count);
      return seen;
    };
    // The newest posts of everyone: this test's three, newest first.
    expect(await walk('/posts', 3)).toEqual([...ids].reverse());
    expect(await walk(`/posts/${ids[0]}/comments`, 10)).toEqual(commentIds);
  });

  test('when a browser calls from another origin or a client is busy, then CORS and RateLimit headers answer', async () => {
    const preflight = await fetch(`${api}/posts`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const limited = await fetch(`${api}/posts`);
    expect(limited.headers.get('ratelimit-limit')).toBe('300');
    expect(Number(limited.headers.get('ratelimit-remaining'))).toBeLessThan(300);
  });
});
