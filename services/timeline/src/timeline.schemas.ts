import { baseConfigSchema } from '@flock/kit';
import { z } from 'zod';

export const timelineConfigSchema = baseConfigSchema.extend({
  /** A poster with more followers than this is not fanned out; followers merge their posts at read time. */
  CELEBRITY_FOLLOWERS: z.coerce.number().int().min(0).default(10_000),
});
export type TimelineConfig = z.infer<typeof timelineConfigSchema>;

export const userId = z.uuid('a user id');
export const userParams = z.object({ id: userId });

/**
 * One timeline entry: ids, author and time only. Clients (or the gateway) hydrate the posts from
 * the posts service (`GET /posts/:id`), so a timeline never serves a stale copy of a post's text.
 */
export const entry = z.object({
  postId: z.string().min(1),
  authorId: z.string().min(1),
  createdAt: z.iso.datetime(),
});
export type Entry = z.infer<typeof entry>;

/** Home timeline cursor: the (createdAt, postId) of the last entry returned. */
export const homePosition = z.object({ t: z.iso.datetime(), id: z.string().min(1).max(128) });
export type HomePosition = z.infer<typeof homePosition>;

/** User timeline cursor: the page and (createdAt, postId) of the last entry returned. */
export const userPosition = homePosition.extend({ p: z.number().int().min(0) });
export type UserPosition = z.infer<typeof userPosition>;
