import { z } from 'zod';

/** User ids are the users service's UUIDs. */
export const userId = z.uuid('a user id');
export const userParams = z.object({ id: userId });

export const relationship = z.object({
  followerId: userId,
  followeeId: userId,
  followedAt: z.iso.datetime(),
});
export type Relationship = z.infer<typeof relationship>;

export const graphItem = z.object({ userId, followedAt: z.iso.datetime() });
export type GraphItem = z.infer<typeof graphItem>;

export type Direction = 'followers' | 'following';

/**
 * Where a list page ends: the index page `p` and the last item returned (`u`, followed at `t`).
 * Opaque to clients (base64url JSON).
 */
export const position = z.object({
  p: z.number().int().min(0),
  u: z.string().min(1).max(64),
  t: z.iso.datetime(),
});
export type Position = z.infer<typeof position>;
