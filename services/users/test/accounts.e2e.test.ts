import {
  TEST_PASSWORD,
  eventually,
  startTestPlatform,
  type Session,
  type TestPlatform,
  platformLabel,
} from '@flock/testing';
import { LOGIN_GATES } from '../src/users.throttle.js';

/** The gateway's default login budget (failed attempts a minute per address). */
const LOGIN_BUDGET = 20;
const EMAIL_LOOKUP_BUDGET = 10;

/**
 * Accounts, tokens and rights through the gateway of the whole embedded platform, as an attacker
 * and a victim meet them. The gateway trusts one proxy hop, so each test speaks from addresses of
 * its own (X-Forwarded-For), as clients behind an ingress do. The "not revoked" cache is set far
 * longer than any test: whatever stops a token in time here was a revocation notice, not expiry.
 */
describe(`accounts, tokens and rights, through the gateway (${platformLabel()})`, () => {
  let flock: TestPlatform;

  beforeAll(async () => {
    flock = await startTestPlatform({
      env: { TRUST_PROXY_HOPS: '1', REVOCATION_CACHE_MS: '600000' },
    });
  }, 240_000);

  afterAll(() => flock?.stop(), 30_000);

  interface Options {
    token?: string;
    body?: unknown;
    /** The client address (X-Forwarded-For, which the gateway trusts one hop of). */
    from?: string;
    authorization?: string;
    headers?: Record<string, string>;
  }
  const request = async (method: string, route: string, options: Options = {}) => {
    const response = await fetch(`${flock.gatewayUrl}/api/flock/v1${route}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.from ? { 'x-forwarded-for': options.from } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.authorization ? { authorization: options.authorization } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  };
  const login = (name: string, password: string, from: string) =>
    request('POST', '/auth/login', { body: { login: name, password }, from });
  const statuses = (answers: Array<{ status: number }>) =>
    answers.map((a) => a.status).sort((a, b) => a - b);

  describe('login throttling', () => {
    test('when 29 wrong guesses and the right password arrive at once from one address, then only the allowance is evaluated', async () => {
      await flock.signUp('concurrent_victim');
      const guesses = [
        ...Array.from({ length: 29 }, (_, i) => `wrong password ${i}`),
        TEST_PASSWORD,
      ];
      const answers = await Promise.all(
        guesses.map((password) => login('concurrent_victim', password, '203.0.113.10')),
      );
      const evaluated = answers.filter((a) => a.status === 200 || a.status === 401);
      expect(evaluated.length).toBeLessThanOrEqual(LOGIN_GATES.pair.free);
      expect(answers.filter((a) => a.status === 429).length).toBe(30 - evaluated.length);
      for (const refused of answers.filter((a) => a.status === 429)) {
        expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    });

    test("when an address is locked out by username, then by email too, but the owner's own address still signs in", async () => {
      await flock.signUp('locked_victim');
      for (let i = 0; i < LOGIN_GATES.pair.free; i++)
        expect((await login('locked_victim', 'a wrong guess', '203.0.113.20')).status).toBe(401);
      const byEmail = await login('locked_victim@example.com', TEST_PASSWORD, '203.0.113.20');
      expect(byEmail.status).toBe(429);
      expect(Number(byEmail.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await login('locked_victim', TEST_PASSWORD, '198.51.100.20')).status).toBe(200);
    });

    test('when guesses come from many addresses, then the account makes new addresses wait, but not the one its owner signs in from', async () => {
      await flock.signUp('spread_victim');
      expect((await login('spread_victim', TEST_PASSWORD, '198.51.100.30')).status).toBe(200);
      const attackers = Array.from(
        { length: LOGIN_GATES.account.free / LOGIN_GATES.pair.free },
        (_, i) => `203.0.113.${30 + i}`,
      );
      for (const from of attackers)
        for (let i = 0; i < LOGIN_GATES.pair.free; i++)
          expect((await login('spread_victim', 'a wrong guess', from)).status).toBe(401);
      expect((await login('spread_victim', TEST_PASSWORD, '192.0.2.30')).status).toBe(429);
      expect((await login('spread_victim', TEST_PASSWORD, '198.51.100.30')).status).toBe(200);
    });

    test('when one address keeps failing logins, then it runs out of its login budget but not of the general one', async () => {
      const from = '203.0.113.40';
      const answers = [];
      for (let i = 0; i <= LOGIN_BUDGET; i++)
        answers.push(await login(`nobody_${i}`, 'a wrong guess', from));
      expect(statuses(answers)).toEqual([...Array(LOGIN_BUDGET).fill(401), 429]);
      expect(answers[0]!.headers.get('ratelimit-limit')).toBe(String(LOGIN_BUDGET));
      const browsing = await request('GET', '/posts', { from });
      expect(browsing.status).toBe(200);
      expect(browsing.headers.get('ratelimit-limit')).toBe('300');
      expect(Number(browsing.headers.get('ratelimit-remaining'))).toBe(299);
    });
  });

  describe('rights end with their grant', () => {
    test('when an account is deleted, then its token stops working at once: no more posts or follows', async () => {
      const bob = await flock.signUp('deleted_bob');
      const mallory = await flock.signUp('deleted_mallory');
      expect((await request('GET', '/me', { token: mallory.accessToken })).status).toBe(200);
      expect(
        (await request('DELETE', `/users/${mallory.user.id}`, { token: mallory.accessToken }))
          .status,
      ).toBe(204);
      const post = await request('POST', '/posts', {
        token: mallory.accessToken,
        body: { text: 'from beyond' },
      });
      expect(post.status).toBe(401);
      expect(
        (await request('POST', `/users/${bob.user.id}/follow`, { token: mallory.accessToken }))
          .status,
      ).toBe(401);
      expect(
        (
          await request('POST', '/auth/refresh', {
            body: { refreshToken: mallory.refreshToken },
          })
        ).status,
      ).toBe(401);
    });

    test('when a session logs out, then its token stops working at once', async () => {
      const carol = await flock.signUp('logout_carol');
      expect((await request('GET', '/me', { token: carol.accessToken })).status).toBe(200);
      expect((await request('POST', '/auth/logout', { token: carol.accessToken })).status).toBe(
        204,
      );
      expect((await request('GET', '/me', { token: carol.accessToken })).status).toBe(401);
      expect(
        (await request('POST', '/auth/refresh', { body: { refreshToken: carol.refreshToken } }))
          .status,
      ).toBe(401);
    });

    test('when a spent refresh token is used again, then the whole session ends, and every gateway hears of it', async () => {
      const dora = await flock.signUp('reuse_dora');
      const other = (await login('reuse_dora', TEST_PASSWORD, '198.51.100.50'))
        .body as unknown as Session;
      const rotated = await request('POST', '/auth/refresh', {
        body: { refreshToken: dora.refreshToken },
      });
      expect(rotated.status).toBe(200);
      const next = rotated.body as unknown as Session;
      // The gateway now caches "not revoked" for the new token, far longer than this test runs.
      expect((await request('GET', '/me', { token: next.accessToken })).status).toBe(200);

      const reused = await request('POST', '/auth/refresh', {
        body: { refreshToken: dora.refreshToken },
      });
      expect(reused.status).toBe(401);
      // Nothing the gateway saw ended this session: only the users service's notice can do it.
      await eventually(async () =>
        (await request('GET', '/me', { token: next.accessToken })).status === 401
          ? true
          : undefined,
      );
      expect(
        (await request('POST', '/auth/refresh', { body: { refreshToken: next.refreshToken } }))
          .status,
      ).toBe(401);
      // Another session of the same account is untouched.
      expect((await request('GET', '/me', { token: other.accessToken })).status).toBe(200);
    });

    test('when someone posts a revocation notice to the gateway directly, then 401: events come only from its sidecar', async () => {
      const response = await fetch(`${flock.gatewayUrl}/events/access-revoked`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({
          id: 'x',
          source: 'x',
          type: 'x',
          topic: 'access.revoked',
          data: {},
        }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    });

    test('when an account is deleted, then none of its posts or comments stay public anywhere', async () => {
      const reader = await flock.signUp('cascade_reader');
      const gone = await flock.signUp('cascade_gone');
      const tag = `farewell${Date.now()}`;
      const own = await request('POST', '/posts', {
        token: gone.accessToken,
        body: { text: `last words #${tag}` },
      });
      expect(own.status).toBe(201);
      const postId = own.body.id as string;
      const readerPost = await request('POST', '/posts', {
        token: reader.accessToken,
        body: { text: 'still here' },
      });
      const comment = await request('POST', `/posts/${readerPost.body.id as string}/comments`, {
        token: gone.accessToken,
        body: { text: 'a comment that must go' },
      });
      expect(comment.status).toBe(201);
      await eventually(async () =>
        ((await request('GET', `/tags/${tag}`)).body.items as unknown[]).length ? true : undefined,
      );

      expect(
        (await request('DELETE', `/users/${gone.user.id}`, { token: gone.accessToken })).status,
      ).toBe(204);

      await eventually(async () => {
        const [post, all, timeline, tagged, found, comments] = await Promise.all([
          request('GET', `/posts/${postId}`),
          request('GET', '/posts?limit=100'),
          request('GET', `/users/${gone.user.id}/timeline`),
          request('GET', `/tags/${tag}`),
          request('GET', `/search/posts?q=${encodeURIComponent('last words')}`),
          request('GET', `/posts/${readerPost.body.id as string}/comments`),
        ]);
        const visible =
          post.status !== 404 ||
          ids(all.body).includes(postId) ||
          ids(timeline.body).includes(postId) ||
          ids(tagged.body).includes(postId) ||
          ids(found.body).includes(postId) ||
          ids(comments.body).includes(comment.body.id as string);
        return visible ? undefined : true;
      });
    });
  });

  describe('email addresses stay private', () => {
    test('when someone registers with a taken email address, then the answer is the same as for a new account', async () => {
      await flock.signUp('email_owner');
      const fresh = await request('POST', '/auth/register', {
        body: {
          username: 'email_fresh',
          email: 'email_fresh@example.com',
          password: TEST_PASSWORD,
        },
      });
      const taken = await request('POST', '/auth/register', {
        body: {
          username: 'email_prober',
          email: 'email_owner@example.com',
          password: TEST_PASSWORD,
        },
      });
      expect(taken.status).toBe(fresh.status);
      expect(taken.body).toEqual(fresh.body);
      expect(taken.headers.get('location')).toBe(fresh.headers.get('location'));
      // Usernames are public: a taken one still says so.
      const name = await request('POST', '/auth/register', {
        body: { username: 'email_owner', email: 'another@example.com', password: TEST_PASSWORD },
      });
      expect(name.status).toBe(409);
    });

    test('when someone searches users by email, then only the exact address matches, only signed in', async () => {
      const seeker = await flock.signUp('email_seeker');
      const target = await flock.signUp('email_target');
      const byEmail = (email: string, token?: string) =>
        request('GET', `/search/users?email=${encodeURIComponent(email)}`, {
          ...(token ? { token } : {}),
        });
      const found = await eventually(async () => {
        const answer = await byEmail('Email_Target@example.com', seeker.accessToken);
        return ids(answer.body).length ? answer : undefined;
      });
      expect(ids(found.body)).toEqual([target.user.id]);
      expect((await byEmail('email_target@example.co', seeker.accessToken)).body.items).toEqual([]);
      expect((await byEmail('email_targe', seeker.accessToken)).status).toBe(400);
      expect((await byEmail('email_target@example.com')).status).toBe(401);
      // Fuzzy search is over usernames only: the address's domain finds nobody by their email.
      const fuzzy = await request('GET', '/search/users?q=example.com');
      expect(ids(fuzzy.body)).not.toContain(target.user.id);
    });

    test('when one caller looks up many email addresses, then the lookups run out of their own budget', async () => {
      const sweeper = await flock.signUp('email_sweeper');
      const answers = [];
      for (let i = 0; i <= EMAIL_LOOKUP_BUDGET; i++)
        answers.push(
          await request('GET', `/search/users?email=guess${i}@example.com`, {
            token: sweeper.accessToken,
          }),
        );
      expect(statuses(answers)).toEqual([...Array(EMAIL_LOOKUP_BUDGET).fill(200), 429]);
      // Other searches keep the general budget.
      expect(
        (await request('GET', '/search/users?username=email', { token: sweeper.accessToken }))
          .status,
      ).toBe(200);
    });
  });

  describe('the bearer scheme', () => {
    test('when the scheme is written in lower case, then the token is accepted', async () => {
      const erin = await flock.signUp('bearer_erin');
      const me = await request('GET', '/me', { authorization: `bearer ${erin.accessToken}` });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ username: 'bearer_erin' });
    });

    test('when requests carry garbage tokens, then the rate limiter counts them', async () => {
      const from = '203.0.113.60';
      const first = await request('GET', '/me', { from, token: 'abc.def.ghi' });
      expect(first.status).toBe(401);
      expect(first.headers.get('ratelimit-remaining')).toBe('299');
      let last = first;
      for (let i = 1; i <= 300 && last.status !== 429; i++)
        last = await request('GET', '/me', { from, token: `abc.def.ghi${i}` });
      expect(last.status).toBe(429);
    });
  });
  describe('the session cookie (how the web client keeps a session across tabs)', () => {
    const COOKIE_MODE = { 'x-flock-refresh-cookie': '1' };
    /** The refresh cookie a response sets: its value and attributes, lower-cased names. */
    const setCookie = (headers: Headers) => {
      const line = headers.getSetCookie().find((c) => c.startsWith('flock_refresh='));
      if (!line) return undefined;
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      return {
        value: pair!.slice('flock_refresh='.length),
        attributes: new Map(
          attributes.map((a) => {
            const [name, value = ''] = a.split('=');
            return [name!.toLowerCase(), value] as const;
          }),
        ),
      };
    };
    const withCookie = (value: string) => ({ ...COOKIE_MODE, cookie: `flock_refresh=${value}` });
    /** A new account signed in as the web client signs in: its answer and the cookie's token. */
    const signInForCookie = async (username: string, from: string) => {
      await flock.signUp(username);
      const answer = await request('POST', '/auth/login', {
        body: { login: username, password: TEST_PASSWORD },
        from,
        headers: COOKIE_MODE,
      });
      return { answer, cookie: setCookie(answer.headers) };
    };

    test('when a browser signs in asking for the cookie, then the refresh token is set httpOnly, Secure, SameSite=Strict for the auth routes only, and is not in the body', async () => {
      const { answer: signedIn, cookie: set } = await signInForCookie(
        'cookie_erin',
        '198.51.100.60',
      );
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.refreshToken).toBeUndefined();
      expect(typeof signedIn.body.accessToken).toBe('string');
      const cookie = set!;
      expect(cookie.value.length).toBeGreaterThan(20);
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.has('secure')).toBe(true);
      expect(cookie.attributes.get('samesite')).toBe('Strict');
      expect(cookie.attributes.get('path')).toBe('/api/flock/v1/auth');
      expect(Number(cookie.attributes.get('max-age'))).toBe(30 * 24 * 3600);
    });

    test('when the cookie is spent, then the next one works, the spent one ends the session and is cleared, and the cookie alone (without the header) is refused', async () => {
      const { cookie: set } = await signInForCookie('cookie_fay', '198.51.100.61');
      const first = set!.value;
      // A cross-site form can send the cookie but not the header: nothing is rotated.
      const forged = await request('POST', '/auth/refresh', {
        headers: { cookie: `flock_refresh=${first}` },
      });
      expect(forged.status).toBe(400);

      const refreshed = await request('POST', '/auth/refresh', { headers: withCookie(first) });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refreshToken).toBeUndefined();
      const second = setCookie(refreshed.headers)!.value;
      expect(second).not.toBe(first);
      const token = refreshed.body.accessToken as string;
      expect((await request('GET', '/me', { token })).body.username).toBe('cookie_fay');

      const replayed = await request('POST', '/auth/refresh', { headers: withCookie(first) });
      expect(replayed.status).toBe(401);
      expect(setCookie(replayed.headers)).toMatchObject({ value: '' });
      expect((await request('POST', '/auth/refresh', { headers: withCookie(second) })).status).toBe(
        401,
      );
    });

    test('when a browser without a cookie asks to refresh, then 401 problem+json; when it logs out, then the cookie is cleared and spent', async () => {
      const none = await request('POST', '/auth/refresh', { headers: COOKIE_MODE });
      expect(none.status).toBe(401);
      expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/);

      const { answer: signedIn, cookie: set } = await signInForCookie(
        'cookie_gus',
        '198.51.100.62',
      );
      const cookie = set!.value;
      const out = await request('POST', '/auth/logout', {
        token: signedIn.body.accessToken as string,
        headers: withCookie(cookie),
      });
      expect(out.status).toBe(204);
      expect(setCookie(out.headers)).toMatchObject({ value: '' });
      expect((await request('POST', '/auth/refresh', { headers: withCookie(cookie) })).status).toBe(
        401,
      );
    });
  });
});

/** The ids of a list's items (timelines name them postId). */
const ids = (body: Record<string, unknown>) =>
  ((body.items as Array<{ id?: string; postId?: string }> | undefined) ?? []).map(
    (item) => item.id ?? item.postId,
  );
