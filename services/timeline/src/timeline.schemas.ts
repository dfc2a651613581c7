import { readerPostView } from '@flock/posts/client';
import { z } from 'zod';

export const userId = z.uuid('a user id');
export const userParams = z.object({ id: userId });

/**
 * One stored timeline entry: ids, author and time only. The timeline keeps no copy of a post:
 * every page is hydrated from the posts service at read time, so no text or count is stale.
 */
export const entry = z.object({
  postId: z.string().min(1),
  authorId: z.string().min(1),
  createdAt: z.iso.datetime(),
});
export type Entry = z.infer<typeof entry>;

/**
 * One item of a timeline page: the whole post as the reader sees it (author's display name,
 * counts, whether the reader likes it), and `postId` (= `id`) as the id-only entries had it.
 */
export const timelineItem = readerPostView.extend({ postId: z.string().min(1) });
export type TimelineItem = z.infer<typeof timelineItem>;

/** Home timeline cursor: the (createdAt, postId) of the last entry returned. */
export const homePosition = z.object({ t: z.iso.datetime(), id: z.string().min(1).max(128) });
export type HomePosition = z.infer<typeof homePosition>;

/** User timeline cursor: the page and (createdAt, postId) of the last entry returned. */
export const userPosition = homePosition.extend({ p: z.number().int().min(0) });
export type UserPosition = z.infer<typeof userPosition>;
