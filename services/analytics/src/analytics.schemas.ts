import { z } from 'zod';

/** The explicit actions a client may record; anything else is a 400. */
export const ACTIONS = [
  'profile.viewed',
  'post.viewed',
  'search.performed',
  'timeline.viewed',
  'link.clicked',
] as const;
export type Action = (typeof ACTIONS)[number];

export const recordRequest = z.strictObject({
  action: z.enum(ACTIONS),
  /** What the action was about (a user, a post, a URL); recorded, not interpreted. */
  subjectId: z.string().min(1).max(2048).optional(),
  /** When it happened; defaults to now. At most 366 days ago and not in the future. */
  at: z.iso.datetime().optional(),
});
export type RecordRequest = z.infer<typeof recordRequest>;

export const recorded = z.object({ action: z.enum(ACTIONS), date: z.iso.date() });

export const userParams = z.object({ id: z.uuid('a user id') });

/** A window of whole UTC days, both ends included. */
export const windowQuery = z.object({
  from: z.iso.date('a date such as 2026-01-31').optional(),
  to: z.iso.date('a date such as 2026-01-31').optional(),
});

/** What one user did and received on one UTC day. */
export const counters = z.object({
  posts: z.number().int(),
  likesGiven: z.number().int(),
  likesReceived: z.number().int(),
  comments: z.number().int(),
  commentsReceived: z.number().int(),
  followersGained: z.number().int(),
  followersLost: z.number().int(),
  /** Explicit actions (POST /analytics/events) by type. */
  actions: z.record(z.string(), z.number().int()),
});
export type Counters = z.infer<typeof counters>;
export type CounterName = Exclude<keyof Counters, 'actions'>;

export const dailyCounters = counters.extend({ date: z.iso.date() });
export type DailyCounters = z.infer<typeof dailyCounters>;

export const userReport = z.object({
  userId: z.string(),
  from: z.iso.date(),
  to: z.iso.date(),
  days: z.array(dailyCounters),
  totals: counters,
});
export type UserReport = z.infer<typeof userReport>;
