import { randomUUID } from 'node:crypto';
import { PAGE_SIZE } from '../src/follows.store.js';
import { followsConfigSchema } from '../src/follows.config.js';
import { buildService } from '../src/follows.service.js';
import type { Dapr } from '@flock/kit';
import { followsClient } from '@flock/follows/client';
import type { UserProfile } from '@flock/users/client';
import {
  callerDapr,
  edgeApp,
  eventually,
  publish,
  startProbe,
  startServiceUnderTest,
  type Received,
  type ServiceUnderTest,
} from '@flock/testing';

/** What the users stub answers for a user it knows: a whole profile, as the users client checks. */
const profileOf = (id: string): UserProfile => ({
  id,
  username: `user${id.slice(0, 8)}`,
  displayName: 'Someone',
  bio: '',
  createdAt: new Date().toISOString(),
  followers: null,
  following: null,
  posts: null,
});

/** The follows service on port 0 behind a real sidecar; the users service is a stub at the edge. */
describe('follows service through HTTP', () => {
  const known = new Set<string>();
  let users: Awaited<ReturnType<typeof edgeApp>>;
  let service: ServiceUnderTest<ReturnType<typeof buildService>>;
  let probe: Awaited<ReturnType<typeof startProbe>>;
  let dapr: Dapr;

  beforeAll(async () => {
    users = await edgeApp((method, path) => {
      const id = /^\/users\/([^/]+)$/.exec(path)?.[1];
      if (method !== 'GET' || !id) return undefined;
      return known.has(id)
        ? { status: 200, body: profileOf(id) }
        : {
            status: 404,
            body: {
              type: 'https://flock.dev/problems/not-found',
              status: 404,
              detail: `User ${id} does not exist.`,
            },
          };
    });
    probe = await startProbe(['follow.created', 'follow.deleted']);
    service = await startServiceUnderTest({
      appId: 'follows',
      configSchema: followsConfigSchema,
      build: buildService,
      apps: { users: users.port },
    });
    dapr = callerDapr(service.sidecar.port);
  });

  afterAll(async () => {
    await dapr?.close();
    await service?.stop();
    await probe?.stop();
    await new Promise((resolve) => users?.server.close(resolve));
  });

  const newUser = () => {
    const id = randomUUID();
    known.add(id);
    return id;
  };
  const as = (caller: string) => ({ 'x-flock-user-id': caller, 'x-flock-username': 'someone' });
  const follow = (caller: string, id: string, method = 'POST') =>
    fetch(`${service.url}/users/${id}/follow`, { method, headers: as(caller) });
  const list = async (id: string, direction: string, query = '') => {
    const response = await fetch(`${service.url}/users/${id}/${direction}${query}`);
    return {
      status: response.status,
      link: response.headers.get('link'),
      body: (await response.json()) as {
        items: Array<{ userId: string; followedAt: string }>;
        nextCursor?: string;
      },
    };
  };
  // Through the client other services call it by, so its path and schema are checked too.
  const counts = (id: string) => followsClient(dapr).counts(id);
  const eventsAbout = (topic: string, followerId: string, followeeId?: string) =>
    probe.received.filter(
      (e: Received) =>
        e.topic === topic &&
        e.data.followerId === followerId &&
        (followeeId === undefined || e.data.followeeId === followeeId),
    );

  test('when there is no caller, then follow and unfollow answer 401', async () => {
    const target = newUser();
    expect((await fetch(`${service.url}/users/${target}/follow`, { method: 'POST' })).status).toBe(
      401,
    );
    expect(
      (await fetch(`${service.url}/users/${target}/follow`, { method: 'DELETE' })).status,
    ).toBe(401);
  });

  test('when the id is not a user id, then 400 problem+json', async () => {
    const response = await follow(newUser(), 'not-a-uuid');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await list('not-a-uuid', 'followers')).status).toBe(400);
  });

  test('when a user follows themself, then 400', async () => {
    const ann = newUser();
    const response = await follow(ann, ann);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/yourself/);
  });

  test('when the followee does not exist, then 404 from the users service', async () => {
    const response = await follow(newUser(), randomUUID());
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  test('when a user follows twice, then 200 with the same relationship, one edge and one follow.created', async () => {
    const [ann, bob] = [newUser(), newUser()];
    const first = await follow(ann, bob);
    expect(first.status).toBe(200);
    const edge = (await first.json()) as {
      followerId: string;
      followeeId: string;
      followedAt: string;
    };
    expect(edge).toMatchObject({ followerId: ann, followeeId: bob });
    const second = await follow(ann, bob);
    expect(await second.json()).toEqual(edge);
    expect(await counts(ann)).toEqual({ followers: 0, following: 1 });
    expect(await counts(bob)).toEqual({ followers: 1, following: 0 });
    await eventually(() =>
      eventsAbout('follow.created', ann, bob).length === 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(eventsAbout('follow.created', ann, bob)).toHaveLength(1);
  });

  test('when a user unfollows twice, then 204 both times, one follow.deleted, counts back to zero', async () => {
    const [ann, bob] = [newUser(), newUser()];
    await follow(ann, bob);
    expect((await follow(ann, bob, 'DELETE')).status).toBe(204);
    expect((await follow(ann, bob, 'DELETE')).status).toBe(204);
    expect(await counts(bob)).toEqual({ followers: 0, following: 0 });
    expect((await list(bob, 'followers')).body.items).toEqual([]);
    await eventually(() =>
      eventsAbout('follow.deleted', ann, bob).length === 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(eventsAbout('follow.deleted', ann, bob)).toHaveLength(1);
  });

  test('when a user asks about several people, then each says who follows whom, in the order asked; a bad or empty ids list is 400, no caller 401', async () => {
    const [ann, bob, cat, dan] = [newUser(), newUser(), newUser(), newUser()];
    await follow(ann, bob);
    await follow(cat, ann);
    await follow(ann, dan);
    await follow(dan, ann);
    const ask = (ids: string, caller?: string) =>
      fetch(`${service.url}/relationships?ids=${ids}`, caller ? { headers: as(caller) } : {});
    const answer = await ask(`${dan},${bob},${cat},${bob}`, ann);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      items: [
        { userId: dan, following: true, followedBy: true },
        { userId: bob, following: true, followedBy: false },
        { userId: cat, following: false, followedBy: true },
      ],
    });
    for (const bad of ['', 'not-a-uuid', Array.from({ length: 41 }, randomUUID).join(',')]) {
      const response = await ask(bad, ann);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect((await ask(bob)).status).toBe(401);
  });

  test('when a list spans several index pages, then pages come newest first, linked by cursor, none lost or repeated', async () => {
    const star = newUser();
    const fans = Array.from({ length: PAGE_SIZE + 12 }, newUser);
    for (const fan of fans) expect((await follow(fan, star)).status).toBe(200);
    // One unfollow in the middle of a full page.
    await follow(fans[10]!, star, 'DELETE');
    const expected = fans.filter((_, i) => i !== 10).reverse();

    const seen: string[] = [];
    let query = '?limit=25';
    for (let pages = 0; ; pages++) {
      const page = await list(star, 'followers', query);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i) => i.userId));
      if (!page.body.nextCursor) {
        expect(page.link).toBeNull();
        break;
      }
      expect(page.link).toBe(
        `</users/${star}/followers?limit=25&cursor=${page.body.nextCursor}>; rel="next"`,
      );
      query = `?limit=25&cursor=${page.body.nextCursor}`;
      expect(pages).toBeLessThan(5);
    }
    expect(seen).toEqual(expected);
    expect(await counts(star)).toEqual({ followers: fans.length - 1, following: 0 });
    const following = await list(fans[0]!, 'following');
    expect(following.body.items).toEqual([{ userId: star, followedAt: expect.any(String) }]);
  });

  test('when the cursor is not one the list issued, then 400', async () => {
    const page = await list(newUser(), 'following', '?cursor=bm90LWEtY3Vyc29y');
    expect(page.status).toBe(400);
  });

  test('when many users follow and unfollow one user at once, then no update is lost', async () => {
    const star = newUser();
    const fans = Array.from({ length: 30 }, newUser);
    await Promise.all(fans.map((fan) => follow(fan, star)));
    await Promise.all(fans.slice(0, 10).map((fan) => follow(fan, star, 'DELETE')));
    expect(await counts(star)).toEqual({ followers: 20, following: 0 });
    const page = await list(star, 'followers', '?limit=100');
    expect(page.body.items.map((i) => i.userId).sort()).toEqual(fans.slice(10).sort());
  });

  test('when user.deleted arrives (twice), then every edge of the user goes in both directions, one follow.deleted each', async () => {
    const [gone, a, b, c] = [newUser(), newUser(), newUser(), newUser()];
    await follow(gone, a);
    await follow(gone, b);
    await follow(c, gone);
    await follow(a, b);
    const event = { userId: gone, username: 'gone', at: new Date().toISOString() };
    const id = randomUUID();
    await publish(service.sidecar, 'user.deleted', event, id);
    await publish(service.sidecar, 'user.deleted', event, id);
    await eventually(async () => {
      const [mine, theirs] = [await counts(gone), await counts(a)];
      return mine.followers + mine.following === 0 && theirs.followers === 0 ? true : undefined;
    });
    expect(await counts(b)).toEqual({ followers: 1, following: 0 });
    expect(await counts(c)).toEqual({ followers: 0, following: 0 });
    await eventually(() =>
      eventsAbout('follow.deleted', gone).length + eventsAbout('follow.deleted', c, gone).length ===
      3
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(eventsAbout('follow.deleted', gone)).toHaveLength(2);
    expect(eventsAbout('follow.deleted', c, gone)).toHaveLength(1);
  });

  test('when user.deleted carries an invalid payload, then it is dropped, not retried', async () => {
    await publish(service.sidecar, 'user.deleted', { userId: '' });
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      return /events_handled_total\{[^}]*outcome="DROP"[^}]*\} 1/.test(text) ? text : undefined;
    });
    expect(metrics).not.toMatch(/outcome="RETRY"/);
  });
});
