import { idList } from '@flock/kit';
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

/** At most this many people in one relationships question (Mastodon's limit too). */
export const RELATIONSHIPS_MAX = 40;

/** `?ids=<id>,<id>`: the people the caller asks about. */
export const relationshipsQuery = z.object({
  ids: idList(userId, RELATIONSHIPS_MAX, 'user id'),
});

/** The caller and one other person: who follows whom. */
export const relationshipView = z.object({
  userId,
  /** The caller follows them. */
  following: z.boolean(),
  /** They follow the caller. */
  followedBy: z.boolean(),
});
export type RelationshipView = z.infer<typeof relationshipView>;
export const relationshipsView = z.object({ items: z.array(relationshipView) });

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
