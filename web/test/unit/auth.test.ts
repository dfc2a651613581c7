import { Auth, type KeyValueStore, type SessionTokens } from '../../src/api/auth';

class MemoryStore implements KeyValueStore {
  data = new Map<string, string>();
  getItem = (key: string) => this.data.get(key) ?? null;
  setItem = (key: string, value: string) => void this.data.set(key, value);
  removeItem = (key: string) => void this.data.delete(key);
}

const session = (n: number): SessionTokens => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-token-number-${n}-xxxxxxxx`,
  expiresIn: 900,
  user: { id: 'u1', username: 'alice' },
});

/** A fake API: `/auth/refresh` trades refresh-N for session N+1; other calls need the latest token. */
function fakeApi() {
  let current = 1;
  const calls: string[] = [];
  let refreshes = 0;
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url).pathname;
    if (url === '/api/v1/auth/refresh') {
      refreshes++;
      const { refreshToken } = (await request.json()) as { refreshToken: string };
      await new Promise((r) => setTimeout(r, 5));
      if (refreshToken !== session(current).refreshToken)
        return new Response(null, { status: 401 });
      current++;
      return Response.json(session(current));
    }
    const auth = request.headers.get('authorization');
    calls.push(`${url} ${auth ?? '-'}`);
    if (auth !== `Bearer ${session(current).accessToken}`)
      return new Response(null, { status: 401 });
    return Response.json({ ok: true });
  }) as typeof globalThis.fetch;
  return {
    fetch,
    calls,
    get refreshes() {
      return refreshes;
    },
    expire: () => current, // tokens of the current session stay valid until a refresh
    revoke: () => {
      current += 100; // every token the client holds is now refused
    },
  };
}

const base = 'http://flock.test/api/v1';

describe('Auth', () => {
  test('when signed in, then calls carry the access token and only the refresh token is stored', async () => {
    const server = fakeApi();
    const storage = new MemoryStore();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch, storage });
    auth.signIn(session(1));
    const response = await auth.fetch(`${base}/me`);
    expect(response.status).toBe(200);
    expect(server.calls).toEqual(['/api/v1/me Bearer access-1']);
    const stored = [...storage.data.values()].join();
    expect(stored).toContain(session(1).refreshToken);
    expect(stored).not.toContain('access-1');
  });

  test('when concurrent calls get 401, then one refresh serves them all and each is retried once', async () => {
    const server = fakeApi();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch, storage: new MemoryStore() });
    auth.signIn(session(1));
    // the server moved on (say the token expired early): session 1's access token is refused
    // but its refresh token still works
    const stale = { ...session(0), refreshToken: session(1).refreshToken };
    auth.signIn(stale);
    const results = await Promise.all(
      [1, 2, 3].map(() => auth.fetch(`${base}/me`, { method: 'GET' })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.refreshes).toBe(1);
    expect(server.calls.filter((c) => c.endsWith('access-2'))).toHaveLength(3);
  });

  test('when the access token is about to expire, then it is refreshed before the call', async () => {
    const server = fakeApi();
    let now = 1_000_000;
    const auth = new Auth({
      baseUrl: base,
      fetch: server.fetch,
      storage: new MemoryStore(),
      now: () => now,
    });
    auth.signIn(session(1));
    now += 850 * 1000; // 50 s left, inside the 60 s margin
    await auth.fetch(`${base}/me`);
    expect(server.refreshes).toBe(1);
    expect(server.calls).toEqual(['/api/v1/me Bearer access-2']);
  });

  test('when the refresh is refused, then the session ends and listeners hear it', async () => {
    const server = fakeApi();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch, storage: new MemoryStore() });
    const heard: Array<string | null> = [];
    auth.subscribe((user) => heard.push(user?.username ?? null));
    auth.signIn(session(1));
    server.revoke();
    const response = await auth.fetch(`${base}/me`);
    expect(response.status).toBe(401);
    expect(auth.signedIn).toBe(false);
    expect(auth.refreshToken).toBeNull();
    expect(heard).toEqual(['alice', null]);
  });

  test('when the page reloads, then the stored refresh token restores a session', async () => {
    const server = fakeApi();
    const storage = new MemoryStore();
    new Auth({ baseUrl: base, fetch: server.fetch, storage }).signIn(session(1));
    const reloaded = new Auth({ baseUrl: base, fetch: server.fetch, storage });
    expect(reloaded.signedIn).toBe(false);
    expect(await reloaded.restore()).toBe(true);
    expect(reloaded.user).toEqual({ id: 'u1', username: 'alice' });
    expect((await reloaded.fetch(`${base}/me`)).status).toBe(200);
  });

  test('when a request without a session gets 401, then no refresh is attempted', async () => {
    const server = fakeApi();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch, storage: new MemoryStore() });
    expect((await auth.fetch(`${base}/me`)).status).toBe(401);
    expect(server.refreshes).toBe(0);
  });
});
