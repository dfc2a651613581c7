/** Fan-out completion: how long a new post takes to reach its author's followers' home timelines. */
import { setTimeout as sleep } from 'node:timers/promises';
import { inParallel, type ApiClient, type Session } from '../api-client.js';
import { shuffled } from '../seed/graph.js';
import { Random } from '../seed/prng.js';
import { percentile } from './open-loop.js';

export interface FanOut {
  sampled: number;
  lastMs: number;
  medianMs: number;
  timedOut: number;
}

/**
 * Posts as `author` and polls the home timelines of a random sample of `followers` until the post
 * is in each: the time from the create's 201 to the last sampled follower seeing it.
 */
export async function fanOut(
  api: ApiClient,
  author: Session,
  followers: Session[],
  sampleSize: number,
): Promise<FanOut> {
  // Fresh tokens first (they expire 15 minutes after login; refreshing hashes nothing).
  const sample = await inParallel(
    shuffled([...followers], new Random(42)).slice(0, sampleSize),
    8,
    (s) => api.refresh(s),
  );
  author = await api.refresh(author);
  const post = await api.call<{ id: string }>('POST', '/posts', author.accessToken, {
    text: 'fan-out probe',
  });
  const started = Date.now();
  const seenAfter = new Map<string, number>();
  const deadline = started + 600_000;
  while (seenAfter.size < sample.length && Date.now() < deadline) {
    await inParallel(
      sample.filter((s) => !seenAfter.has(s.user.id)),
      8,
      async (s) => {
        const page = await api.call<{ items: Array<{ postId: string }> }>(
          'GET',
          '/timeline/home?limit=20',
          s.accessToken,
        );
        if (page.items.some((e) => e.postId === post.id))
          seenAfter.set(s.user.id, Date.now() - started);
      },
    );
    await sleep(50);
  }
  const times = [...seenAfter.values()];
  return {
    sampled: sample.length,
    lastMs: Math.max(...times),
    medianMs: percentile(times, 50),
    timedOut: sample.length - times.length,
  };
}
