import { eventually, startTestPlatform, type TestPlatform, platformLabel } from '@flock/testing';

type Items = { items: Array<Record<string, unknown>> };

/**
 * Search and analytics in the whole embedded platform (search on the embedded Postgres, PGlite):
 * what people do through the gateway becomes searchable and counted, and deletions vanish.
 */
describe(`search and analytics end to end, through the gateway (${platformLabel()})`, () => {
  let flock: TestPlatform;
  let api: string;

  const call = (method: string, route: string, token?: string, body?: unknown) =>
    flock.call<Record<string, unknown> & Items>(method, route, token, body);
  const ids = (body: Items) => body.items.map((i) => i.id);

  const signUp = (username: string) => flock.signUp(username);

  beforeAll(async () => {
    flock = await startTestPlatform({ env: { REVOCATION_CACHE_MS: '0' } });
    api = `${flock.gatewayUrl}/api/flock/v1`;
  }, 240_000);

  afterAll(async () => {
    await flock?.stop();
  }, 30_000);

  test('when people register, post and delete, then search finds and forgets them; analytics counts what they did', async () => {
    const hedwig = await signUp('hedwig');
    const errol = await signUp('errol');

    // Users by username, exact then prefix, and fuzzily; anonymous callers may search.
    const users = await eventually(async () => {
      const found = await call('GET', '/search/users?username=hedw');
      return found.body.items.length === 1 ? found : undefined;
    });
    expect(users.body.items[0]).toMatchObject({ id: hedwig.user.id, username: 'hedwig' });
    expect(ids((await call('GET', '/search/users?q=hedvig')).body)).toContain(hedwig.user.id);

    const posted = await call('POST', '/posts', hedwig.accessToken, {
      text: 'Delivering letters by night #owlpost #Mail',
    });
    expect(posted.status).toBe(201);
    const postId = posted.body.id as string;
    const other = await call('POST', '/posts', errol.accessToken, {
      text: 'crash landing #owlpost',
    });
    const otherId = other.body.id as string;

    const found = await eventually(async () => {
      const r = await call('GET', '/search/posts?q=deliver letter');
      return r.body.items.length === 1 ? r : undefined;
    });
    expect(found.body.items[0]).toMatchObject({ id: postId, authorId: hedwig.user.id });
    await eventually(async () =>
      ids((await call('GET', '/tags/owlpost')).body).length === 2 ? true : undefined,
    );
    expect(ids((await call('GET', '/tags/owlpost')).body)).toEqual([otherId, postId]);
    expect((await call('GET', '/search/tags?q=owl')).body.items).toEqual([
      { tag: 'owlpost', posts: 2 },
    ]);
    const paged = await fetch(`${api}/tags/owlpost?limit=1`);
    expect(paged.headers.get('link')).toMatch(
      /^<\/api\/flock\/v1\/tags\/owlpost\?limit=1&cursor=[^>]+>; rel="next"$/,
    );
    expect((await call('GET', `/search/posts?q=${'x'.repeat(201)}`)).status).toBe(400);

    // Analytics: an explicit action, the post counted, only for hedwig herself.
    expect(
      (await call('POST', '/analytics/events', hedwig.accessToken, { action: 'search.performed' }))
        .status,
    ).toBe(202);
    expect(
      (await call('POST', '/analytics/events', undefined, { action: 'search.performed' })).status,
    ).toBe(401);
    const report = await eventually(async () => {
      const r = await call('GET', `/analytics/users/${hedwig.user.id}`, hedwig.accessToken);
      const totals = r.body.totals as { posts: number; actions: Record<string, number> };
      return totals.posts === 1 && totals.actions['search.performed'] === 1 ? r : undefined;
    });
    expect(report.status).toBe(200);
    expect(
      (await call('GET', `/analytics/users/${hedwig.user.id}`, errol.accessToken)).status,
    ).toBe(403);

    // A deleted post vanishes; so does a deleted account with its posts.
    expect((await call('DELETE', `/posts/${postId}`, hedwig.accessToken)).status).toBe(204);
    await eventually(async () =>
      ids((await call('GET', '/tags/owlpost')).body).join() === otherId ? true : undefined,
    );
    expect((await call('GET', '/search/posts?q=deliver letter')).body.items).toEqual([]);
    expect((await call('DELETE', `/users/${errol.user.id}`, errol.accessToken)).status).toBe(204);
    await eventually(async () =>
      (await call('GET', '/search/users?username=errol')).body.items.length === 0 &&
      (await call('GET', '/tags/owlpost')).body.items.length === 0
        ? true
        : undefined,
    );
  }, 90_000);
});
