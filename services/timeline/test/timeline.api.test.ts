import { randomUUID } from 'node:crypto';
import type { Sidecar } from '@flock/sidecar';
import { BACKFILL, HOME_CAP } from '../src/timeline.domain.js';
import { HEAD_MAX } from '../src/timeline.home-layout.js';
import { timelineConfigSchema } from '../src/timeline.config.js';
import { buildService } from '../src/timeline.service.js';
import { eventually, publish, startServiceUnderTest, type ServiceUnderTest } from '@flock/testing';
import { FakePosts, viewOf } from './fake-posts.js';

interface Item {
  postId: string;
  authorId: string;
  createdAt: string;
  text: string;
  likedByMe: boolean;
}

const CELEBRITY_FOLLOWERS = 3;

/** The timeline service on port 0 behind a real sidecar; events arrive through the in-memory broker. */
describe('timeline service through HTTP and events', () => {
  let sidecar: Sidecar;
  let service: ServiceUnderTest<ReturnType<typeof buildService>>;
  const posts = new FakePosts();

  beforeAll(async () => {
    service = await startServiceUnderTest({
      appId: 'timeline',
      configSchema: timelineConfigSchema,
      build: (config, deps) => buildService(config, { ...deps, posts }),
      env: { CELEBRITY_FOLLOWERS: String(CELEBRITY_FOLLOWERS) },
    });
    sidecar = service.sidecar;
  });

  afterAll(async () => {
    await service?.stop();
  });

  let clock = Date.now() - 3_600_000;
  /** Strictly increasing event times, so the order of follow events is unambiguous. */
  const tick = () => new Date(++clock).toISOString();
  const user = () => randomUUID();

  const posted = async (authorId: string, id = randomUUID()) => {
    const createdAt = tick();
    posts.add({ postId: id, authorId, createdAt });
    await publish(sidecar, 'post.created', {
      postId: id,
      authorId,
      text: 'hello',
      hashtags: [],
      mentions: [],
      createdAt,
    });
    return id;
  };
  const followed = async (followerId: string, followeeId: string, id?: string) => {
    const event = { followerId, followeeId, at: tick() };
    await publish(sidecar, 'follow.created', event, id);
    return event;
  };
  const unfollowed = (followerId: string, followeeId: string) =>
    publish(sidecar, 'follow.deleted', { followerId, followeeId, at: tick() });

  const read = async (path: string, caller?: string) => {
    const response = await fetch(`${service.url}${path}`, {
      headers: caller ? { 'x-flock-user-id': caller, 'x-flock-username': 'someone' } : {},
    });
    return {
      status: response.status,
      link: response.headers.get('link'),
      body: (await response.json()) as { items: Item[]; nextCursor?: string },
    };
  };
  /** A home page's post ids; a transient refusal (503 while the machine is saturated) is retried. */
  const home = async (userId: string): Promise<string[]> => {
    for (let attempt = 1; ; attempt++) {
      const { status, body } = await read('/timeline/home?limit=100', userId);
      if (status === 200) return body.items.map((i) => i.postId);
      if (status !== 503 || attempt >= 20)
        throw new Error(`home timeline answered ${status}: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const homeIs = (userId: string, expected: string[]) =>
    eventually(async () => {
      const ids = await home(userId);
      return JSON.stringify(ids) === JSON.stringify(expected) ? ids : undefined;
    });
  const stored = async (key: string) => {
    const response = await fetch(
      `${sidecar.url}/v1.0/state/timeline-store/${encodeURIComponent(key)}`,
    );
    return response.status === 200 ? ((await response.json()) as { entries: Item[] }) : undefined;
  };

  test('when there is no caller, then the home timeline answers 401', async () => {
    expect((await read('/timeline/home')).status).toBe(401);
  });

  test('when posts arrive, then home and user timelines list them newest first with author and time', async () => {
    const [ann, fan] = [user(), user()];
    await followed(fan, ann);
    await homeIs(fan, []);
    const p1 = await posted(ann);
    const p2 = await posted(ann);
    const p3 = await posted(ann);
    await homeIs(fan, [p3, p2, p1]);
    await homeIs(ann, [p3, p2, p1]);
    const own = await read(`/users/${ann}/timeline`);
    expect(own.status).toBe(200);
    expect(own.body.items.map((i) => i.postId)).toEqual([p3, p2, p1]);
    const p3At = own.body.items[0]!.createdAt;
    expect(own.body.items[0]).toEqual({
      ...viewOf({ postId: p3, authorId: ann, createdAt: p3At }, false),
      postId: p3,
    });
  });

  test('when a page is read, then its posts come whole from one batch read, liked as the reader likes them; a post gone meanwhile is left out', async () => {
    const [ann, fan] = [user(), user()];
    await followed(fan, ann);
    await homeIs(fan, []);
    const [a, b, c] = [await posted(ann), await posted(ann), await posted(ann)];
    await homeIs(fan, [c, b, a]);
    posts.likes.set(fan, new Set([b]));
    posts.reads.length = 0;
    const page = await read('/timeline/home?limit=2', fan);
    expect(posts.reads).toEqual([{ ids: [c, b], viewerId: fan }]);
    expect(page.body.items.map((i) => [i.postId, i.text, i.likedByMe])).toEqual([
      [c, `post ${c}`, false],
      [b, `post ${b}`, true],
    ]);
    // b is deleted at the posts service before its event reaches the timeline.
    posts.forget(b);
    const first = await read('/timeline/home?limit=2', fan);
    expect(first.body.items.map((i) => i.postId)).toEqual([c]);
    const rest = await read(`/timeline/home?limit=2&cursor=${first.body.nextCursor}`, fan);
    expect(rest.body.items.map((i) => i.postId)).toEqual([a]);
    // Anonymous readers of a user timeline like nothing; a signed-in one sees their likes.
    posts.add({ postId: b, authorId: ann, createdAt: page.body.items[1]!.createdAt });
    const anonymous = await read(`/users/${ann}/timeline`);
    expect(anonymous.body.items.map((i) => i.likedByMe)).toEqual([false, false, false]);
    const signedIn = await read(`/users/${ann}/timeline`, fan);
    expect(signedIn.body.items.map((i) => i.likedByMe)).toEqual([false, true, false]);
  });

  test('when a timeline is read page by page, then the cursor and Link continue it; a bad cursor is 400', async () => {
    const ann = user();
    const posts: string[] = [];
    for (let i = 0; i < 5; i++) posts.push(await posted(ann));
    await homeIs(ann, [...posts].reverse());
    for (const path of ['/timeline/home', `/users/${ann}/timeline`]) {
      const first = await read(`${path}?limit=3`, ann);
      expect(first.body.items).toHaveLength(3);
      expect(first.link).toBe(`<${path}?limit=3&cursor=${first.body.nextCursor}>; rel="next"`);
      const second = await read(`${path}?limit=3&cursor=${first.body.nextCursor}`, ann);
      expect(second.body.nextCursor).toBeUndefined();
      expect(second.link).toBeNull();
      expect([...first.body.items, ...second.body.items].map((i) => i.postId)).toEqual(
        [...posts].reverse(),
      );
      expect((await read(`${path}?cursor=garbage`, ann)).status).toBe(400);
    }
    expect((await read('/users/not-a-uuid/timeline')).status).toBe(400);
  });

  test(`when a user follows someone with 25 posts, then the ${BACKFILL} newest are backfilled`, async () => {
    const [ann, fan] = [user(), user()];
    const posts: string[] = [];
    for (let i = 0; i < 25; i++) posts.push(await posted(ann));
    await eventually(async () =>
      (await read(`/users/${ann}/timeline?limit=100`)).body.items.length === 25 ? true : undefined,
    );
    await followed(fan, ann);
    await homeIs(fan, posts.slice(-BACKFILL).reverse());
  });

  test('when a user unfollows, then the followee posts leave their home timeline', async () => {
    const [ann, bob, fan] = [user(), user(), user()];
    await followed(fan, ann);
    await followed(fan, bob);
    const a = await posted(ann);
    const b = await posted(bob);
    await homeIs(fan, [b, a]);
    await unfollowed(fan, ann);
    await homeIs(fan, [b]);
  });

  test('when a post is deleted, then it leaves the home timelines it was pushed to and the user timeline', async () => {
    const [ann, fan] = [user(), user()];
    await followed(fan, ann);
    await homeIs(fan, []);
    const keep = await posted(ann);
    const gone = await posted(ann);
    await homeIs(fan, [gone, keep]);
    await publish(sidecar, 'post.deleted', { postId: gone, authorId: ann, at: tick() });
    await homeIs(fan, [keep]);
    await homeIs(ann, [keep]);
    expect((await read(`/users/${ann}/timeline`)).body.items.map((i) => i.postId)).toEqual([keep]);
  });

  test('when a poster has more followers than the threshold, then their posts are merged at read time, not pushed', async () => {
    const star = user();
    const fans = Array.from({ length: CELEBRITY_FOLLOWERS + 1 }, user);
    for (const fan of fans) await followed(fan, star);
    await eventually(async () => {
      const response = await fetch(`${sidecar.url}/v1.0/state/timeline-store/followers:${star}`);
      if (response.status !== 200) return undefined; // 204: not stored yet
      const set = (await response.json()) as { ids: string[]; celebrity: boolean };
      return set.celebrity && set.ids.length === fans.length ? true : undefined;
    });
    const p = await posted(star);
    for (const fan of fans) await homeIs(fan, [p]);
    await homeIs(star, [p]);
    // Pushed only to the author's own home timeline.
    expect((await stored(`home:${fans[0]}`))?.entries ?? []).toEqual([]);
    expect((await stored(`home:${star}`))?.entries.map((e) => e.postId)).toEqual([p]);
  });

  /** Every entry of a home timeline, read page by page through the cursor. */
  const wholeHome = async (userId: string, limit = 100) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await read(
        `/timeline/home?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        userId,
      );
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((i) => i.postId));
      cursor = page.body.nextCursor;
    } while (cursor);
    return ids;
  };

  test('when older posts are backfilled into a timeline past its head, then they sit in order, and unfollow and delete take them out of the sealed part', async () => {
    const [ann, bob, fan] = [user(), user(), user()];
    const bobs: string[] = [];
    for (let i = 0; i < 5; i++) bobs.push(await posted(bob));
    await followed(fan, ann);
    const anns: string[] = [];
    for (let i = 0; i < HEAD_MAX + 10; i++) anns.push(await posted(ann));
    const newestFirst = (ids: string[]) => [...ids].reverse();
    await eventually(async () => ((await home(fan)).length === anns.length ? true : undefined));
    // The head holds the newest few only: a post rewrites it, not the whole timeline.
    expect((await stored(`home:${fan}`))!.entries.length).toBeLessThanOrEqual(HEAD_MAX);
    await followed(fan, bob);
    await eventually(async () =>
      JSON.stringify(await wholeHome(fan, 7)) ===
      JSON.stringify([...newestFirst(anns), ...newestFirst(bobs)])
        ? true
        : undefined,
    );
    await unfollowed(fan, bob);
    const oldest = anns[0]!;
    await publish(sidecar, 'post.deleted', { postId: oldest, authorId: ann, at: tick() });
    await eventually(async () =>
      JSON.stringify(await wholeHome(fan, 7)) === JSON.stringify(newestFirst(anns.slice(1)))
        ? true
        : undefined,
    );
  });

  test(`when more than ${HOME_CAP} posts arrive, then the home timeline shows the newest ${HOME_CAP}, page after page`, async () => {
    const ann = user();
    const anns: string[] = [];
    for (let i = 0; i < HOME_CAP + 30; i++) anns.push(await posted(ann));
    const expected = anns.slice(-HOME_CAP).reverse();
    await eventually(async () => ((await home(ann))[0] === expected[0] ? true : undefined));
    await eventually(
      async () =>
        JSON.stringify(await wholeHome(ann)) === JSON.stringify(expected) ? true : undefined,
      30_000,
    );
  }, 60_000);

  test('when the same event is delivered twice, then it is applied once', async () => {
    const [ann, fan] = [user(), user()];
    const a = await posted(ann);
    const followId = randomUUID();
    const follow = await followed(fan, ann, followId);
    await homeIs(fan, [a]);
    // Unfollow, then the old follow.created is redelivered: it must not re-add the edge.
    await unfollowed(fan, ann);
    await homeIs(fan, []);
    await publish(sidecar, 'follow.created', follow, followId);
    const postId = randomUUID();
    const createdAt = tick();
    const event = { postId, authorId: fan, text: 'x', hashtags: [], mentions: [], createdAt };
    posts.add({ postId, authorId: fan, createdAt });
    const eventId = randomUUID();
    await publish(sidecar, 'post.created', event, eventId);
    await publish(sidecar, 'post.created', event, eventId);
    await homeIs(fan, [postId]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await home(fan)).toEqual([postId]);
  });

  test('when a user is deleted, then their timelines go and their posts leave their followers', async () => {
    const [gone, fan] = [user(), user()];
    await followed(fan, gone);
    const g = await posted(gone);
    const f = await posted(fan);
    await homeIs(fan, [f, g]);
    await publish(sidecar, 'user.deleted', { userId: gone, username: 'gone', at: tick() });
    await homeIs(fan, [f]);
    await homeIs(gone, []);
    expect((await read(`/users/${gone}/timeline`)).body.items).toEqual([]);
  });

  test('when an event payload is invalid, then it is dropped, and the fan-out lag histogram is exported', async () => {
    await publish(sidecar, 'post.created', { postId: 'x' });
    const text = await eventually(async () => {
      const body = await (await fetch(`${service.url}/metrics`)).text();
      return /events_handled_total\{[^}]*topic="post.created"[^}]*outcome="DROP"/.test(body)
        ? body
        : undefined;
    });
    expect(text).toMatch(/timeline_fanout_lag_seconds_count\{service="timeline"\} [1-9]/);
  });

  test('when 50 users post at once while others follow and unfollow, then every home timeline is what the graph implies', async () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const users = Array.from({ length: 50 }, user);
    const edges = new Map<string, boolean>();
    const edgeOps: Array<() => Promise<void>> = [];
    for (let i = 0; i < 300; i++) {
      const f = users[random(50)]!;
      const a = users[random(50)]!;
      if (f === a) continue;
      const key = `${f}>${a}`;
      const follow = !edges.get(key) || random(3) === 0;
      edges.set(key, follow);
      // The time is taken now: the last operation on an edge has the latest time, whatever the arrival order.
      const at = tick();
      const topic = follow ? 'follow.created' : 'follow.deleted';
      edgeOps.push(() => publish(sidecar, topic, { followerId: f, followeeId: a, at }));
    }
    const posts = new Map<string, string[]>(users.map((u) => [u, []]));
    const postOps = users.flatMap((u) =>
      [0, 1].map(() => async () => {
        posts.get(u)!.push(await posted(u));
      }),
    );
    const all = [...edgeOps, ...postOps].sort(() => random(3) - 1);
    await Promise.all(all.map((op) => op()));

    const expected = (u: string) => {
      const authors = [u, ...users.filter((a) => edges.get(`${u}>${a}`))];
      return authors.flatMap((a) => posts.get(a)!);
    };
    await eventually(async () => {
      for (const u of users) {
        const actual = (await home(u)).sort();
        if (JSON.stringify(actual) !== JSON.stringify(expected(u).sort())) return undefined;
      }
      return true;
    }, 40_000);
  }, 60_000);
});
