import { Auth, type KeyValueStore, type Locks, type SessionTokens } from '../../src/api/auth';

class MemoryStore implements KeyValueStore {
  data = new Map<string, string>();
  getItem = (key: string) => this.data.get(key) ?? null;
  setItem = (key: string, value: string) => void this.data.set(key, value);
  removeItem = (key: string) => void this.data.delete(key);
}

/** A stand-in for the Web Locks API (Node has none): one holder per name at a time. */
class MemoryLocks implements Locks {
  private tails = new Map<string, Promise<unknown>>();
  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(name) ?? Promise.resolve()).then(callback);
    this.tails.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}

const session = (n: number): SessionTokens => ({
  accessToken: `access-${n}`,
  expiresIn: 900,
  user: { id: 'u1', username: 'alice' },
});

/**
 * A fake API and browser cookie jar, shared by every tab: `/auth/refresh` spends the cookie's
 * token N for session N+1 (a spent one ends the session, as the users service does); other
 * calls need the latest access token.
 */
function fakeApi() {
  let current = 1;
  let cookie: number | null = 1;
  const calls: string[] = [];
  let refreshes = 0;
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url).pathname;
    const mode = request.headers.get('x-flock-refresh-cookie');
    if (url === '/api/flock/v1/auth/refresh') {
      refreshes++;
      const sent = cookie;
      await new Promise((r) => setTimeout(r, 5));
      if (mode !== '1' || sent !== current) {
        cookie = null;
        current = -1; // a reuse ends the session
        return new Response(null, { status: 401 });
      }
      current++;
      cookie = current;
      return Response.json(session(current));
    }
    const auth = request.headers.get('authorization');
    calls.push(`${url} ${auth ?? '-'} ${mode ?? '-'}`);
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
    revoke: () => {
      current += 100; // every token the client holds is now refused
    },
  };
}

const base = 'http://flock.test/api/flock/v1';

describe('Auth', () => {
  test('when signed in, then calls carry the access token and ask for the session cookie, and nothing secret is stored', async () => {
    const server = fakeApi();
    const hint = new MemoryStore();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch, hint });
    auth.signIn(session(1));
    const response = await auth.fetch(`${base}/me`);
    expect(response.status).toBe(200);
    expect(server.calls).toEqual(['/api/flock/v1/me Bearer access-1 1']);
    expect([...hint.data.values()]).toEqual(['1']);
  });

  test('when concurrent calls get 401, then one refresh serves them all and each is retried once', async () => {
    const server = fakeApi();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch });
    auth.signIn(session(0)); // the server moved on: this access token is refused, the cookie works
    const results = await Promise.all(
      [1, 2, 3].map(() => auth.fetch(`${base}/me`, { method: 'GET' })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.refreshes).toBe(1);
    expect(server.calls.filter((c) => c.includes('access-2'))).toHaveLength(3);
  });

  test('when the access token is about to expire, then it is refreshed before the call', async () => {
    const server = fakeApi();
    let now = 1_000_000;
    const auth = new Auth({ baseUrl: base, fetch: server.fetch, now: () => now });
    auth.signIn(session(1));
    now += 850 * 1000; // 50 s left, inside the 60 s margin
    await auth.fetch(`${base}/me`);
    expect(server.refreshes).toBe(1);
    expect(server.calls).toEqual(['/api/flock/v1/me Bearer access-2 1']);
  });

  test('when the refresh is refused, then the session ends and listeners hear it', async () => {
    const server = fakeApi();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch, hint: new MemoryStore() });
    const heard: Array<string | null> = [];
    auth.subscribe((user) => heard.push(user?.username ?? null));
    auth.signIn(session(1));
    server.revoke();
    const response = await auth.fetch(`${base}/me`);
    expect(response.status).toBe(401);
    expect(auth.signedIn).toBe(false);
    expect(heard).toEqual(['alice', null]);
  });

  test('when a new tab opens, then the session cookie restores the session; a browser that never signed in asks nothing', async () => {
    const server = fakeApi();
    const hint = new MemoryStore();
    new Auth({ baseUrl: base, fetch: server.fetch, hint }).signIn(session(1));
    const tab = new Auth({ baseUrl: base, fetch: server.fetch, hint });
    expect(tab.signedIn).toBe(false);
    expect(await tab.restore()).toBe(true);
    expect(tab.user).toEqual({ id: 'u1', username: 'alice' });
    expect((await tab.fetch(`${base}/me`)).status).toBe(200);

    const stranger = new Auth({ baseUrl: base, fetch: server.fetch, hint: new MemoryStore() });
    const before = server.refreshes;
    expect(await stranger.restore()).toBe(false);
    expect(server.refreshes).toBe(before);
  });

  test('when the session is restored during a blip (503, 429), then it is asked again and kept; a 500 is not asked again', async () => {
    for (const [status, restored, asked] of [
      [503, true, 2],
      [429, true, 2],
      [500, false, 1],
    ] as const) {
      const server = fakeApi();
      let asks = 0;
      const flaky = (async (input: RequestInfo | URL, init?: RequestInit) => {
        const refreshing = new Request(input, init).url.endsWith('/auth/refresh');
        if (refreshing && asks++ === 0) return new Response(null, { status });
        return server.fetch(input, init);
      }) as typeof fetch;
      const hint = new MemoryStore();
      hint.setItem('flock.session', '1');
      const tab = new Auth({ baseUrl: base, fetch: flaky, hint });
      expect(await tab.restore()).toBe(restored);
      expect(asks).toBe(asked);
    }
  });

  test('when two tabs refresh at once, then with the Web Lock (a stand-in) they take turns and both keep the session; without it the second looks like a reuse', async () => {
    for (const locks of [new MemoryLocks(), undefined]) {
      const server = fakeApi();
      const hint = new MemoryStore();
      const tabs = [1, 2].map(
        () => new Auth({ baseUrl: base, fetch: server.fetch, hint, ...(locks ? { locks } : {}) }),
      );
      hint.setItem('flock.session', '1');
      const restored = await Promise.all(tabs.map((tab) => tab.restore()));
      expect(restored).toEqual(locks ? [true, true] : [true, false]);
    }
  });

  test('when one tab signs out, then the other tabs are signed out too (a real BroadcastChannel)', async () => {
    const server = fakeApi();
    const channels = [1, 2].map(() => new BroadcastChannel('flock.session.test'));
    const [a, b] = channels.map(
      (channel) => new Auth({ baseUrl: base, fetch: server.fetch, channel }),
    );
    a!.signIn(session(1));
    b!.signIn(session(1));
    const heard = new Promise((resolve) => b!.subscribe(resolve));
    a!.signOut();
    expect(await heard).toBeNull();
    expect(b!.signedIn).toBe(false);
    for (const channel of channels) channel.close();
  });

  test('when a request without a session gets 401, then no refresh is attempted', async () => {
    const server = fakeApi();
    const auth = new Auth({ baseUrl: base, fetch: server.fetch });
    expect((await auth.fetch(`${base}/me`)).status).toBe(401);
    expect(server.refreshes).toBe(0);
  });
});
