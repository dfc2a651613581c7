import { AppError } from '@flock/kit';
import {
  AnalyticsDomain,
  applyIncrements,
  emptyCounters,
  incrementsOf,
  type CounterRepository,
  type Increment,
} from '../src/analytics.domain.js';
import type { Counters } from '../src/analytics.schemas.js';

/** Counters in a map, applied once per operation id, as the Dapr store does. */
class InMemoryCounters implements CounterRepository {
  readonly days = new Map<string, Counters>();
  readonly seen = new Set<string>();
  async apply(id: string, increments: readonly Increment[]) {
    if (this.seen.has(id)) return 'duplicate' as const;
    this.seen.add(id);
    for (const inc of increments) {
      const key = `${inc.userId}:${inc.date}`;
      this.days.set(key, applyIncrements(this.days.get(key) ?? emptyCounters(), [inc]));
    }
    return 'applied' as const;
  }
  async read(userId: string, dates: readonly string[]) {
    const found = new Map<string, Counters>();
    for (const date of dates) {
      const day = this.days.get(`${userId}:${date}`);
      if (day) found.set(date, day);
    }
    return found;
  }
}

const now = new Date('2026-03-15T12:00:00.000Z');
const setup = () => {
  const counters = new InMemoryCounters();
  let n = 0;
  return {
    counters,
    analytics: new AnalyticsDomain(counters, { now: () => now }, () => `id-${++n}`),
  };
};
const statusOf = async (run: () => Promise<unknown>) => {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.status : 'other';
  }
};

describe('analytics domain', () => {
  test('when a like is created, then the liker gives and the author receives, on the UTC day of the event', () => {
    expect(
      incrementsOf('like.created', {
        postId: 'p',
        postAuthorId: 'ann',
        userId: 'bob',
        at: '2026-03-14T23:59:59.999Z',
      }),
    ).toEqual([
      { userId: 'bob', date: '2026-03-14', counter: 'likesGiven' },
      { userId: 'ann', date: '2026-03-14', counter: 'likesReceived' },
    ]);
  });

  test('when an event undoes activity or counts nothing, then there are no increments', () => {
    expect(
      incrementsOf('like.deleted', {
        postId: 'p',
        postAuthorId: 'a',
        userId: 'b',
        at: now.toISOString(),
      }),
    ).toEqual([]);
    expect(
      incrementsOf('user.registered', {
        userId: 'a',
        username: 'a',
        email: 'a@example.com',
        at: now.toISOString(),
      }),
    ).toEqual([]);
  });

  test('when the window is omitted, then it is the 30 days ending today; 366 days at most', async () => {
    const { analytics } = setup();
    const report = await analytics.report('ann', 'ann', {});
    expect([report.from, report.to, report.days.length]).toEqual(['2026-02-14', '2026-03-15', 30]);
    expect(
      (await analytics.report('ann', 'ann', { from: '2025-03-15', to: '2026-03-15' })).days,
    ).toHaveLength(366);
    expect(
      await statusOf(() =>
        analytics.report('ann', 'ann', { from: '2025-03-14', to: '2026-03-15' }),
      ),
    ).toBe(400);
    expect(
      await statusOf(() =>
        analytics.report('ann', 'ann', { from: '2026-03-02', to: '2026-03-01' }),
      ),
    ).toBe(400);
  });

  test('when someone else asks, then 403 whatever the window', async () => {
    const { analytics } = setup();
    expect(await statusOf(() => analytics.report('bob', 'ann', {}))).toBe(403);
  });

  test('when an action is recorded with the same idempotency key twice, then it counts once', async () => {
    const { analytics } = setup();
    await analytics.record('ann', { action: 'post.viewed' }, 'k1');
    await analytics.record('ann', { action: 'post.viewed' }, 'k1');
    await analytics.record('ann', { action: 'post.viewed' });
    const report = await analytics.report('ann', 'ann', { from: '2026-03-15', to: '2026-03-15' });
    expect(report.totals.actions).toEqual({ 'post.viewed': 2 });
  });

  test('when an action is stamped in the future or over 366 days ago, then 400', async () => {
    const { analytics } = setup();
    expect(
      await statusOf(() =>
        analytics.record('ann', { action: 'post.viewed', at: '2026-03-15T12:10:00.000Z' }),
      ),
    ).toBe(400);
    expect(
      await statusOf(() =>
        analytics.record('ann', { action: 'post.viewed', at: '2025-03-13T12:00:00.000Z' }),
      ),
    ).toBe(400);
    expect(
      await statusOf(() =>
        analytics.record('ann', { action: 'post.viewed', at: '2026-03-15T12:04:00.000Z' }),
      ),
    ).toBe('ok');
  });
});
