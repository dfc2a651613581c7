/**
 * Home-timeline read latency against the number of accounts the reader follows: with fan-out on
 * write, a read costs O(page), not O(followees). Readers are registered, follow the first N
 * posters, and once their timelines are backfilled read the first page (20 entries) in turn,
 * interleaved with the gateway's /healthz (the cost of the HTTP hop alone) as the baseline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize, timed, type LatencySummary } from './stats.js';
import { inParallel, type ApiClient, type Session } from '../api-client.js';
import { homeSize } from '../seed/seeder.js';

export interface FolloweeResult {
  followees: number;
  latency: LatencySummary;
}

export interface FolloweeScaling {
  health: LatencySummary;
  readers: FolloweeResult[];
}

export async function followeeScaling(
  api: ApiClient,
  gatewayUrl: string,
  /** Accounts to follow, with how many posts each has. */
  posters: ReadonlyArray<{ session: Session; posts: number }>,
  counts: readonly number[],
  reads: number,
  prefix = 'reader_',
): Promise<FolloweeScaling> {
  const readers = await inParallel(counts, 4, (n) => api.signUp(`${prefix}${n}`));
  for (const [i, n] of counts.entries()) {
    if (n > posters.length) throw new Error(`only ${posters.length} posters to follow`);
    await inParallel(posters.slice(0, n), 8, (p) =>
      api.call('POST', `/users/${p.session.user.id}/follow`, readers[i]!.accessToken),
    );
  }
  // Backfill is asynchronous (follow.created → timeline): wait until each timeline is full.
  const expected = counts.map((n) =>
    Math.min(
      800,
      posters.slice(0, n).reduce((sum, p) => sum + Math.min(20, p.posts), 0),
    ),
  );
  const deadline = Date.now() + 300_000;
  for (;;) {
    const sizes = await Promise.all(readers.map((r) => homeSize(api, r)));
    if (sizes.every((size, i) => size >= expected[i]!) || Date.now() > deadline) break;
    await sleep(500);
  }
  const page = (reader: Session) => () =>
    api.call('GET', '/timeline/home?limit=20', reader.accessToken);
  const health = () => fetch(`${gatewayUrl}/healthz`).then((r) => r.arrayBuffer());
  const paths = [health, ...readers.map(page)];
  for (let i = 0; i < 50; i++) for (const path of paths) await path(); // warm up
  const samples = paths.map(() => [] as number[]);
  for (let i = 0; i < reads; i++) {
    // Rotate the order so no path always follows the same one.
    for (let k = 0; k < paths.length; k++) {
      const j = (i + k) % paths.length;
      samples[j]!.push(await timed(paths[j]!));
    }
  }
  return {
    health: summarize(samples[0]!),
    readers: counts.map((followees, i) => ({ followees, latency: summarize(samples[i + 1]!) })),
  };
}
