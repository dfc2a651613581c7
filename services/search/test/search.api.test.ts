import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@flock/runner';
import { findRealPostgres } from '@flock/testing';
import { PgSearchIndex } from '../src/search.store.js';
import { startSearch, type SearchHarness } from './support/harness.js';
import { describeIfReachable, eventually } from '@flock/testing';

const realPostgres = await findRealPostgres();

interface Body {
  items: Array<Record<string, unknown>>;
  nextCursor?: string;
  status?: number;
}

/** Every hostile text is either searched (200) or refused (400) — never a 500. */
const HOSTILE: Array<[string, string]> = [
  ['single quote', "'"],
  ['quotes and semicolon', `"'; DROP TABLE search_posts; --`],
  ['tsquery operators', 'a & | ! <-> b:* (c'],
  ['unbalanced parens', '((((('],
  ['only operators', '&|!<->:*'],
  ['websearch or/minus', 'or - -- " " or'],
  ['backslashes', '\\\\\\'],
  ['like wildcards', '%_%_\\%'],
  ['sql comment', '/* */ -- '],
  ['unicode', 'Zürich 東京 🐦 مرحبا'],
  ['combining marks', 'e\u0301\u0301\u0301'],
  ['zero-width', '\u200b\u200d\ufeff'],
  ['right-to-left override', '\u202eevil'],
  ['nul byte', 'a\u0000b'],
  ['control characters', '\u0001\u0002\u001b[31m'],
  ['only stop words', 'the and of'],
  ['only spaces', '     '],
  ['empty', ''],
  ['hash only', '#'],
  ['at sign', '@'],
  ['200 characters', 'x'.repeat(200)],
  ['201 characters', 'y'.repeat(201)],
  ['10 kB', 'z '.repeat(5000)],
  ['percent-encoded garbage', '%ZZ%E0%A4%A'],
  ['regconfig cast', "english'::regconfig"],
  ['json', '{"$ne": null}'],
];

const backends: Array<{
  name: string;
  reachable: boolean;
  what: string;
  connect(): Promise<{ url: string; stop(): Promise<void> }>;
}> = [
  {
    name: 'real Postgres',
    reachable: realPostgres !== undefined,
    what: 'Postgres on 127.0.0.1:5432',
    async connect() {
      const url = realPostgres!;
      // From scratch, so the migrations are exercised on an empty database.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(
        'DROP TABLE IF EXISTS search_post_tags, search_posts, search_users, search_processed_events',
      );
      await client.end();
      return { url, stop: async () => undefined };
    },
  },
  {
    name: 'embedded Postgres (PGlite)',
    reachable: true,
    what: 'PGlite',
    async connect() {
      const embedded: EmbeddedPostgres = await startEmbeddedPostgres();
      return { url: embedded.connectionString, stop: () => embedded.stop() };
    },
  },
];

for (const backend of backends) {
  describeIfReachable(backend.reachable, backend.what)(`search on ${backend.name}`, () => {
    let database: { url: string; stop(): Promise<void> };
    let search: SearchHarness;
    const run = randomUUID().slice(0, 8);

    beforeAll(async () => {
      database = await backend.connect();
      search = await startSearch(database.url);
    }, 60_000);

    afterAll(async () => {
      await search?.stop();
      await database?.stop();
    });

    const get = async (route: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${search.url}${route}`, { headers });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        link: response.headers.get('link'),
        body: (await response.json()) as Body,
      };
    };
    const ids = (body: Body) => body.items.map((item) => item.id ?? item.tag);
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

    const register = async (username: string, email?: string) => {
      const userId = randomUUID();
      await search.publish('user.registered', {
        userId,
        username,
        at: at(0),
        ...(email ? { email } : {}),
      });
      return userId;
    };
    const post = async (authorId: string, text: string, hashtags: string[], minute: number) => {
      const postId = randomUUID();
      await search.publish('post.created', {
        postId,
        authorId,
        text,
        hashtags,
        mentions: [],
        createdAt: at(minute),
      });
      return postId;
    };
    const until = <T>(check: () => Promise<T | undefined>) => eventually(check, 15_000);

    test('when migrations run again on the same database, then nothing changes and nothing fails', async () => {
      const again = await PgSearchIndex.open(database.url, 'english', 2);
      await again.close();
      expect((await get(`/search/users?q=nobody${run}`)).status).toBe(200);
    });

    test('when users register and update, then username (exact before prefix), exact email and fuzzy searches find them', async () => {
      const ann = await register(`u${run}ann`, `Ann.${run}@Example.com`);
      const anna = await register(`u${run}anna`);
      const bob = await register(`u${run}bob`);
      await until(async () =>
        (await get(`/search/users?username=u${run}bob`)).body.items.length ? true : undefined,
      );
      await until(async () =>
        ids((await get(`/search/users?username=u${run}ann`)).body).length === 2 ? true : undefined,
      );

      expect(ids((await get(`/search/users?username=u${run}ann`)).body)).toEqual([ann, anna]);
      expect(ids((await get(`/search/users?username=U${run}ANNA`)).body)).toEqual([anna]);
      // By email: the exact address only (any case), and only for a signed-in caller.
      const signedIn = { 'x-flock-user-id': randomUUID(), 'x-flock-username': 'seeker' };
      expect(ids((await get(`/search/users?email=ANN.${run}@example.com`, signedIn)).body)).toEqual(
        [ann],
      );
      expect((await get(`/search/users?email=ann.${run}@example.co`, signedIn)).body.items).toEqual(
        [],
      );
      expect((await get(`/search/users?email=ann.${run}`, signedIn)).status).toBe(400);
      expect((await get(`/search/users?email=ann.${run}@example.com`)).status).toBe(401);
      // Fuzzy search never matches an email address.
      expect(ids((await get(`/search/users?q=ann.${run}@example.com`)).body)).not.toContain(ann);
      // A typo still finds the user; the exact match ranks first.
      const fuzzy = await get(`/search/users?q=u${run}anna`);
      expect(ids(fuzzy.body)[0]).toBe(anna);
      expect(ids(fuzzy.body)).toContain(ann);
      expect(ids((await get(`/search/users?q=u${run}bbo`)).body)).toContain(bob);

      // user.updated renames and carries an email when the producer sends one.
      await search.publish('user.updated', {
        userId: bob,
        username: `u${run}robert`,
        displayName: 'Robert',
        bio: '',
        email: `rob${run}@example.org`,
        at: at(5),
      });
      await until(async () =>
        ids((await get(`/search/users?username=u${run}robert`)).body)[0] === bob ? true : undefined,
      );
      expect((await get(`/search/users?username=u${run}bob`)).body.items).toEqual([]);
      expect((await get(`/search/users?username=u${run}robert`)).body.items[0]).toMatchObject({
        id: bob,
        username: `u${run}robert`,
        displayName: 'Robert',
      });
      expect(ids((await get(`/search/users?email=rob${run}@example.org`, signedIn)).body)).toEqual([
        bob,
      ]);
      // An older update arriving late does not undo the newer one.
      await search.publish('user.updated', {
        userId: bob,
        username: `u${run}bobby`,
        displayName: 'Old',
        bio: '',
        at: at(1),
      });
      const marker = await register(`marker${run}`);
      await until(async () =>
        ids((await get(`/search/users?username=marker${run}`)).body)[0] === marker
          ? true
          : undefined,
      );
      expect((await get(`/search/users?username=u${run}bobby`)).body.items).toEqual([]);
    });

    test('when posts are created, then full-text search ranks them, hashtags list them newest first, and tag search counts them', async () => {
      const author = await register(`writer${run}`);
      const tag = `flock${run}`;
      const first = await post(author, `Running through the park, running ${tag}`, [tag], 1);
      const second = await post(
        author,
        `I like to run. #${tag} #other${run}`,
        [tag, `other${run}`],
        2,
      );
      const third = await post(author, `Nothing about that here #${tag}x`, [`${tag}x`], 3);
      await until(async () =>
        (await get(`/tags/${tag}x`)).body.items.length === 1 ? true : undefined,
      );
      await until(async () =>
        (await get(`/tags/${tag}`)).body.items.length === 2 ? true : undefined,
      );

      // Stemming: "runs" finds "running" and "run"; the post saying it twice ranks first.
      const found = await get(`/search/posts?q=runs ${tag}`);
      expect(found.status).toBe(200);
      expect(ids(found.body)).toEqual([first, second]);
      expect(found.body.items[0]).toMatchObject({ authorId: author, hashtags: [tag] });
      expect(
        ids((await get(`/search/posts?q=${encodeURIComponent(`"like to run" ${tag}`)}`)).body),
      ).toEqual([second]);
      expect(ids((await get(`/search/posts?q=${tag} -park`)).body)).toEqual([second]);

      const tagged = await get(`/tags/%23${tag.toUpperCase()}`);
      expect(ids(tagged.body)).toEqual([second, first]);
      const pageOne = await get(`/tags/${tag}?limit=1`);
      expect(ids(pageOne.body)).toEqual([second]);
      expect(pageOne.link).toContain('cursor=');
      const pageTwo = await get(`/tags/${tag}?limit=1&cursor=${pageOne.body.nextCursor}`);
      expect(ids(pageTwo.body)).toEqual([first]);
      expect(pageTwo.body.nextCursor).toBeUndefined();

      const tags = await get(`/search/tags?q=%23FLOCK${run}`);
      expect(tags.body.items).toEqual([
        { tag, posts: 2 },
        { tag: `${tag}x`, posts: 1 },
      ]);
      const tagsPage = await get(`/search/tags?q=flock${run}&limit=1`);
      expect(ids(tagsPage.body)).toEqual([tag]);
      expect(
        ids(
          (await get(`/search/tags?q=flock${run}&limit=1&cursor=${tagsPage.body.nextCursor}`)).body,
        ),
      ).toEqual([`${tag}x`]);
      expect(third).toBeDefined();
    });

    test('when results span pages, then following nextCursor visits every match once, best first', async () => {
      const author = await register(`pager${run}`);
      const word = `pageword${run}`;
      const posted = new Set<string>();
      for (let i = 0; i < 7; i++)
        posted.add(await post(author, `${word} ${'again '.repeat(i)}`, [], 10 + i));
      await until(async () =>
        (await get(`/search/posts?q=${word}&limit=100`)).body.items.length === 7 ? true : undefined,
      );
      const seen: string[] = [];
      let cursor = '';
      let last = Infinity;
      for (let n = 0; n < 10; n++) {
        const page = await get(`/search/posts?q=${word}&limit=3${cursor}`);
        for (const item of page.body.items) {
          expect(item.rank as number).toBeLessThanOrEqual(last);
          last = item.rank as number;
          seen.push(item.id as string);
        }
        if (!page.body.nextCursor) break;
        cursor = `&cursor=${page.body.nextCursor}`;
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(posted);
    });

    test('when a post is updated or deleted, then search follows; a deleted user and their posts vanish, even a post arriving late', async () => {
      const author = await register(`leaver${run}`);
      const tag = `gone${run}`;
      const edited = await post(author, `original wording ${run}`, [], 1);
      const removed = await post(author, `to be removed #${tag}`, [tag], 2);
      await until(async () =>
        (await get(`/tags/${tag}`)).body.items.length === 1 ? true : undefined,
      );
      await until(async () =>
        (await get(`/search/posts?q=original ${run}`)).body.items.length === 1 ? true : undefined,
      );

      await search.publish('post.updated', {
        postId: edited,
        authorId: author,
        text: `revised phrasing ${run} #${tag}`,
        hashtags: [tag],
        mentions: [],
        at: at(30),
      });
      await until(async () =>
        ids((await get(`/search/posts?q=revised ${run}`)).body)[0] === edited ? true : undefined,
      );
      expect((await get(`/search/posts?q=original ${run}`)).body.items).toEqual([]);
      await until(async () =>
        (await get(`/tags/${tag}`)).body.items.length === 2 ? true : undefined,
      );

      await search.publish('post.deleted', { postId: removed, authorId: author, at: at(31) });
      await until(async () =>
        ids((await get(`/tags/${tag}`)).body).join() === edited ? true : undefined,
      );
      expect((await get(`/search/posts?q=removed ${tag}`)).body.items).toEqual([]);
      // An edit of a deleted post arriving late does not bring it back.
      await search.publish('post.updated', {
        postId: removed,
        authorId: author,
        text: `resurrected ${run}`,
        hashtags: [],
        mentions: [],
        at: at(40),
      });

      await search.publish('user.deleted', {
        userId: author,
        username: `leaver${run}`,
        at: at(50),
      });
      await until(async () =>
        (await get(`/search/users?username=leaver${run}`)).body.items.length === 0
          ? true
          : undefined,
      );
      await until(async () =>
        (await get(`/tags/${tag}`)).body.items.length === 0 ? true : undefined,
      );
      expect((await get(`/search/posts?q=revised ${run}`)).body.items).toEqual([]);
      expect((await get(`/search/tags?q=${tag}`)).body.items).toEqual([]);
      // A post (and a profile update) of the deleted user that arrives afterwards stays hidden.
      await post(author, `late arrival ${run}`, [], 51);
      await search.publish('user.updated', {
        userId: author,
        username: `leaver${run}`,
        displayName: 'Back?',
        bio: '',
        at: at(52),
      });
      const marker = await register(`marker2${run}`);
      await until(async () =>
        ids((await get(`/search/users?username=marker2${run}`)).body)[0] === marker
          ? true
          : undefined,
      );
      expect(
        (await get(`/search/posts?q=${encodeURIComponent(`late arrival ${run}`)}`)).body.items,
      ).toEqual([]);
      expect((await get(`/search/posts?q=resurrected ${run}`)).body.items).toEqual([]);
      expect(ids((await get(`/search/users?q=leaver${run}`)).body)).not.toContain(author);
    });

    test('when an event is redelivered with the same id, then nothing changes', async () => {
      const author = await register(`repeat${run}`);
      const postId = randomUUID();
      const eventId = randomUUID();
      const created = {
        postId,
        authorId: author,
        text: `first delivery ${run}`,
        hashtags: [],
        mentions: [],
        createdAt: at(1),
      };
      await search.publish('post.created', created, eventId);
      await until(async () =>
        (await get(`/search/posts?q=first ${run}`)).body.items.length === 1 ? true : undefined,
      );
      // The same id again, even with different content, is a duplicate: ignored.
      await search.publish('post.created', { ...created, text: `second delivery ${run}` }, eventId);
      const marker = await register(`marker3${run}`);
      await until(async () =>
        ids((await get(`/search/users?username=marker3${run}`)).body)[0] === marker
          ? true
          : undefined,
      );
      expect(ids((await get(`/search/posts?q=first ${run}`)).body)).toEqual([postId]);
      expect((await get(`/search/posts?q=second ${run}`)).body.items).toEqual([]);
      const { rows } = await search.index.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM search_processed_events WHERE event_id = $1',
        [eventId],
      );
      expect(rows[0]!.n).toBe(1);
    });

    test('when a request is malformed, then 400 problem+json', async () => {
      for (const route of [
        '/search/users',
        '/search/users?limit=5',
        `/search/users?q=${'a'.repeat(201)}`,
        '/search/users?q=a&q=b',
        '/search/users?q[x]=1',
        '/search/posts',
        '/search/posts?q=a&limit=0',
        '/search/posts?q=a&limit=101',
        '/search/posts?q=a&cursor=not-a-cursor',
        `/search/posts?q=a&cursor=${Buffer.from('{"r":"x"}').toString('base64url')}`,
        '/search/tags',
        '/search/tags?q=no%20spaces',
        '/tags/not-a-tag!',
        `/tags/${'t'.repeat(101)}`,
        '/tags/ok?cursor=%00',
      ]) {
        const response = await get(route);
        expect({ route, status: response.status }).toEqual({ route, status: 400 });
        expect(response.type).toMatch(/application\/problem\+json/);
      }
    });

    test.each(HOSTILE)(
      'when the query text is hostile (%s), then every search answers 200 or 400, never 500',
      async (_name, text) => {
        const q = encodeURIComponent(text);
        const routes = [
          `/search/posts?q=${q}`,
          `/search/users?q=${q}`,
          `/search/users?username=${q}`,
          `/search/users?email=${q}`,
          `/search/tags?q=${q}`,
          `/tags/${q || '%20'}`,
        ];
        const answers = await Promise.all(
          routes.map(async (route) => ({
            route,
            status: (await fetch(`${search.url}${route}`)).status,
          })),
        );
        // 431: Node's HTTP parser refuses a URL past its header limit before any code runs.
        const refused = answers.filter((a) => ![200, 400, 431].includes(a.status));
        expect(refused.map((a) => `${a.status} ${a.route.slice(0, 80)}`)).toEqual([]);
      },
    );
  });
}
