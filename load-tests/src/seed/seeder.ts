/**
 * Seeds a graph through the public API (register + login, posts, follows), so every service's
 * state — users, graph, posts, timelines, notifications, search, analytics — is built by the same
 * events production traffic makes. No shortcut straight into a store.
 */
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, DEFAULT_PASSWORD, inParallel, type Session } from '../api-client.js';
import type { SeedGraph } from './graph.js';
import { Random } from './prng.js';

export interface SeededPost {
  id: string;
  authorId: string;
  createdAt: string;
}

export interface SeededGraph {
  graph: SeedGraph;
  sessions: Session[];
  /** Posts per user index, oldest first. */
  posts: SeededPost[][];
  timings: { usersMs: number; postsMs: number; followsMs: number; settleMs: number };
}

export interface SeedOptions {
  /** Requests in flight per phase. */
  concurrency?: number;
  seed?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** How long to wait for the timelines to catch up with the follow events. */
  settleTimeoutMs?: number;
}

export async function seedGraph(
  api: ApiClient,
  graph: SeedGraph,
  options: SeedOptions = {},
): Promise<SeededGraph> {
  const concurrency = options.concurrency ?? 16;
  const log = options.log ?? (() => undefined);
  const random = new Random(options.seed ?? 7);
  const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

  let started = Date.now();
  const names = Array.from({ length: graph.users }, (_, i) => `${graph.prefix}${i}`);
  const sessions = await inParallel(names, concurrency, async (name) => {
    // A retried register whose first attempt did land answers 409 (taken): that is fine.
    await retryTransient(() =>
      api
        .call('POST', '/auth/register', undefined, {
          username: name,
          email: `${name}@example.com`,
          password: DEFAULT_PASSWORD,
        })
        .catch((error: Error) => {
          if (!/answered 409/.test(error.message)) throw error;
        }),
    );
    return retryTransient(() =>
      api.call<Session>('POST', '/auth/login', undefined, {
        login: name,
        password: DEFAULT_PASSWORD,
      }),
    );
  });
  const usersMs = Date.now() - started;
  log(`  ${graph.users} users registered and logged in in ${elapsed(started)}`);

  // Posts before follows: each follow's backfill (the followee's newest 20) then fills the home
  // timeline with one write, where posting after following would fan every post out one by one.
  started = Date.now();
  const texts = graph.posts.map((count) =>
    Array.from({ length: count }, () => `${random.text(120)} #seed${random.int(0, 49)}`),
  );
  // Round-robin over authors: one author's posts sent concurrently conflict on its documents.
  const jobs: Array<{ user: number; text: string }> = [];
  for (let k = 0; k < Math.max(0, ...graph.posts); k++) {
    texts.forEach((list, user) => {
      if (k < list.length) jobs.push({ user, text: list[k]! });
    });
  }
  const created = await inParallel(jobs, concurrency, ({ user, text }) =>
    retryTransient(() =>
      api.call<SeededPost>('POST', '/posts', sessions[user]!.accessToken, { text }),
    ),
  );
  const posts: SeededPost[][] = graph.posts.map(() => []);
  jobs.forEach((job, i) => posts[job.user]!.push(pick(created[i]!)));
  const postsMs = Date.now() - started;
  log(`  ${jobs.length} posts in ${elapsed(started)}`);

  started = Date.now();
  await inParallel(graph.follows, concurrency, ([follower, followee]) =>
    retryTransient(() =>
      api.call(
        'POST',
        `/users/${sessions[followee]!.user.id}/follow`,
        sessions[follower]!.accessToken,
      ),
    ),
  );
  const followsMs = Date.now() - started;
  log(
    `  ${graph.follows.length} follows in ${elapsed(started)} (retried so far: ${retried['409']}× 409, ${retried['503']}× 503)`,
  );

  started = Date.now();
  await settle(api, graph, sessions, posts, options.settleTimeoutMs ?? 300_000, log);
  const settleMs = Date.now() - started;
  log(`  timelines caught up ${elapsed(started)} after the last follow`);
  return { graph, sessions, posts, timings: { usersMs, postsMs, followsMs, settleMs } };
}

/**
 * Retries a call answered 409 (a concurrent change of the same document) or 503 (a store read
 * failed; "try again"), with jittered exponential backoff.
 */
export async function retryTransient<T>(call: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = /answered (409|503)/.exec((error as Error).message)?.[1];
      if (attempt >= attempts || !status) throw error;
      retried[status as '409' | '503']++;
      await sleep(Math.min(1000, 10 * 2 ** attempt) * Math.random());
    }
  }
}

/** Calls retried so far (reported: they are findings about the services, not the seeder). */
export const retried = { '409': 0, '503': 0 };

const pick = (post: SeededPost): SeededPost => ({
  id: post.id,
  authorId: post.authorId,
  createdAt: post.createdAt,
});

/**
 * Follow events are applied asynchronously: waits until the home timelines of the users whose
 * follows went out last hold every post of their followees (capped at 800).
 */
async function settle(
  api: ApiClient,
  graph: SeedGraph,
  sessions: Session[],
  posts: SeededPost[][],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const followees = new Map<number, number[]>();
  for (const [a, b] of graph.follows) followees.set(a, [...(followees.get(a) ?? []), b]);
  const lastFollowers = [...new Set(graph.follows.slice(-200).map(([a]) => a))].slice(-8);
  const expected = (user: number) =>
    Math.min(
      800,
      (followees.get(user) ?? []).reduce((n, f) => n + posts[f]!.length, 0),
    );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(lastFollowers.map((u) => homeSize(api, sessions[u]!)));
    if (lastFollowers.every((u, i) => counts[i]! >= expected(u))) return;
    if (Date.now() > deadline) {
      log(`  warning: timelines still behind after ${timeoutMs / 1000} s; going on`);
      return;
    }
    await sleep(1000);
  }
}

/** The number of entries in a home timeline (at most 800: the cap). */
export async function homeSize(api: ApiClient, session: Session): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await api.call<{ items: unknown[]; nextCursor?: string }>(
      'GET',
      `/timeline/home?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      session.accessToken,
    );
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/** What the k6 scripts read with `open()`: who can log in, and some post ids to act on. */
export interface UsersFile {
  graph: string;
  password: string;
  users: Array<{ id: string; username: string }>;
  posts: string[];
}

export async function writeUsersFile(file: string, seeded: SeededGraph): Promise<void> {
  const content: UsersFile = {
    graph: seeded.graph.name,
    password: DEFAULT_PASSWORD,
    users: seeded.sessions.map((s) => ({ id: s.user.id, username: s.user.username })),
    posts: seeded.posts.flatMap((list) => list.slice(-1).map((p) => p.id)),
  };
  await writeFile(file, `${JSON.stringify(content)}\n`);
}
