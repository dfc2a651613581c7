import { z } from 'zod';

/*
 * Shapes that cross a service boundary in answers (as events.ts holds those that cross it as
 * events): posts produces them, timeline passes them on, the gateway documents them.
 */
const postId = z.uuid('a post id');
const userId = z.string().min(1).max(128);

/** A post as every public route shows it. */
export const postView = z.object({
  id: postId,
  authorId: userId,
  authorUsername: z.string(),
  text: z.string(),
  hashtags: z.array(z.string()),
  mentions: z.array(z.string()),
  /** The post this one replies to; it may since have been deleted (GET answers 404 then). */
  inReplyTo: postId.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  likesCount: z.number().int().min(0),
  commentsCount: z.number().int().min(0),
  repliesCount: z.number().int().min(0),
});
export type PostView = z.infer<typeof postView>;

/** A post as a reader sees it in a list: with its author's display name and the reader's like. */
export const readerPostView = postView.extend({
  /** The author's display name now (their username until they set one). */
  authorDisplayName: z.string(),
  /** Whether the reader likes it; false for an anonymous reader. */
  likedByMe: z.boolean(),
});
export type ReaderPostView = z.infer<typeof readerPostView>;

/** At most this many posts are read in one batch (a page is at most 100). */
export const POST_BATCH_MAX = 100;

/** Internal `POST /internal/posts/batch` of the posts service: many posts, as one reader sees them. */
export const postBatchRequest = z.object({
  ids: z.array(z.string().min(1).max(128)).max(POST_BATCH_MAX),
  viewerId: userId.optional(),
});
export type PostBatchRequest = z.infer<typeof postBatchRequest>;

/** The live posts among the ids asked for, in the order asked; deleted and unknown ids are left out. */
export const postBatchResponse = z.object({ items: z.array(readerPostView) });
export type PostBatchResponse = z.infer<typeof postBatchResponse>;
