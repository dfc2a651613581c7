import { badRequest, forbidden, type EventPayload, type Topic } from '@flock/kit';
import type {
  Action,
  CounterName,
  Counters,
  DailyCounters,
  RecordRequest,
  UserReport,
} from './analytics.schemas.js';

/** One change to one user's counters of one UTC day. */
export interface Increment {
  userId: string;
  date: string;
  counter?: CounterName;
  action?: Action;
}

/** Per-user per-day counter documents; analytics.store.ts implements it over Dapr state. */
export interface CounterRepository {
  /** Applies `increments` exactly once per `operationId` (a redelivery changes nothing). */
  apply(operationId: string, increments: readonly Increment[]): Promise<'applied' | 'duplicate'>;
  /** The stored days among `dates` (absent days have no document). */
  read(userId: string, dates: readonly string[]): Promise<Map<string, Counters>>;
}

export interface Clock {
  now(): Date;
}

export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 366;
const DAY_MS = 86_400_000;
/** Clocks drift: an action stamped a little in the future is accepted. */
const FUTURE_SKEW_MS = 5 * 60_000;

export const emptyCounters = (): Counters => ({
  posts: 0,
  likesGiven: 0,
  likesReceived: 0,
  comments: 0,
  commentsReceived: 0,
  followersGained: 0,
  followersLost: 0,
  actions: {},
});

/** The UTC day of an ISO instant. */
export const dayOf = (instant: string | Date) =>
  (typeof instant === 'string' ? new Date(instant) : instant).toISOString().slice(0, 10);

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * What a platform event counts, for whom, on which day. Counters record activity as it
 * happened: undoing it later (unlike, deleting a comment or post) does not rewrite past days.
 */
export function incrementsOf<T extends Topic>(topic: T, data: EventPayload<T>): Increment[] {
  const d = data as Record<string, string>;
  const on = (userId: string | undefined, at: string | undefined, counter: CounterName) =>
    userId && at ? [{ userId, date: dayOf(at), counter }] : [];
  switch (topic) {
    case 'post.created':
      return on(d.authorId, d.createdAt, 'posts');
    case 'like.created':
      return [...on(d.userId, d.at, 'likesGiven'), ...on(d.postAuthorId, d.at, 'likesReceived')];
    case 'comment.created':
      return [...on(d.authorId, d.at, 'comments'), ...on(d.postAuthorId, d.at, 'commentsReceived')];
    case 'follow.created':
      return on(d.followeeId, d.at, 'followersGained');
    case 'follow.deleted':
      return on(d.followeeId, d.at, 'followersLost');
    default:
      return [];
  }
}

export function applyIncrements(current: Counters, increments: readonly Increment[]): Counters {
  const next: Counters = { ...current, actions: { ...current.actions } };
  for (const inc of increments) {
    if (inc.counter) next[inc.counter] += 1;
    if (inc.action) next.actions[inc.action] = (next.actions[inc.action] ?? 0) + 1;
  }
  return next;
}

export class AnalyticsDomain {
  constructor(
    private readonly counters: CounterRepository,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  /** Counts an explicit action of `userId`. With an idempotency key, a retry counts once. */
  async record(
    userId: string,
    request: RecordRequest,
    idempotencyKey?: string,
  ): Promise<{ action: Action; date: string }> {
    const now = this.clock.now();
    const at = request.at ? new Date(request.at) : now;
    if (at.getTime() > now.getTime() + FUTURE_SKEW_MS)
      throw badRequest('The action cannot happen in the future.', [
        { path: 'at', message: 'not in the future' },
      ]);
    if (at.getTime() < now.getTime() - MAX_WINDOW_DAYS * DAY_MS)
      throw badRequest(`The action is older than ${MAX_WINDOW_DAYS} days.`, [
        { path: 'at', message: `within the last ${MAX_WINDOW_DAYS} days` },
      ]);
    const date = dayOf(at);
    const id = idempotencyKey ? `action:${userId}:${idempotencyKey}` : `action:${this.newId()}`;
    await this.counters.apply(id, [{ userId, date, action: request.action }]);
    return { action: request.action, date };
  }

  /** Applies a platform event once; events that count nothing write nothing. */
  async onEvent<T extends Topic>(eventId: string, topic: T, data: EventPayload<T>) {
    const increments = incrementsOf(topic, data);
    if (increments.length === 0) return 'ignored' as const;
    return this.counters.apply(`event:${eventId}`, increments);
  }

  /**
   * A user's days in [from, to] (default: the last 30 days up to today, UTC). Only the user
   * themself may read them: there are no roles yet, so there is no admin exception.
   */
  async report(
    callerId: string,
    userId: string,
    window: { from?: string; to?: string },
  ): Promise<UserReport> {
    if (callerId !== userId) throw forbidden('Only the user themself may read their analytics.');
    const to = window.to ?? dayOf(this.clock.now());
    const from = window.from ?? addDays(to, -(DEFAULT_WINDOW_DAYS - 1));
    if (from > to)
      throw badRequest('The window ends before it starts.', [
        { path: 'from', message: 'on or before to' },
      ]);
    const span = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
    if (span > MAX_WINDOW_DAYS)
      throw badRequest(`The window is longer than ${MAX_WINDOW_DAYS} days.`, [
        { path: 'from', message: `at most ${MAX_WINDOW_DAYS} days before to` },
      ]);
    const dates = Array.from({ length: span }, (_, i) => addDays(from, i));
    const stored = await this.counters.read(userId, dates);
    const days: DailyCounters[] = dates.map((date) => ({
      date,
      ...(stored.get(date) ?? emptyCounters()),
    }));
    return { userId, from, to, days, totals: total(days) };
  }
}

function total(days: readonly Counters[]): Counters {
  const sum = emptyCounters();
  for (const day of days) {
    for (const key of Object.keys(sum) as Array<keyof Counters>) {
      if (key === 'actions') {
        for (const [action, n] of Object.entries(day.actions))
          sum.actions[action] = (sum.actions[action] ?? 0) + n;
      } else sum[key] += day[key];
    }
  }
  return sum;
}
