import { APP_IDS, ifFound, type Dapr } from '@flock/kit';
import { z } from 'zod';

/*
 * What the posts service answers other services, declared once: posts.api.ts serves its routes
 * with these schemas and postsClient checks the answers with them, so the two cannot disagree.
 * This folder is a project of its own: a caller compiles it, not the whole posts service.
 */

export const postId = z.uuid('a post id');
export const userId = z.string().min(1).max(128);

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
  /** The username of the replied-to post's author, for "Replying to @…" (absent on older replies). */
  inReplyToUsername: z.string().optional(),
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
  /** Whether the reader bookmarked it; false for an anonymous reader. */
  bookmarkedByMe: z.boolean(),
  /** A reply's context: the words of the post it answers, cut to 100 characters; absent once that post is deleted. */
  inReplyToExcerpt: z.string().optional(),
});
export type ReaderPostView = z.infer<typeof readerPostView>;

/** At most this many posts are read in one batch (a page is at most 100). */
export const POST_BATCH_MAX = 100;

/** Internal `POST /internal/posts/batch`: many posts, as one reader sees them. */
export const postBatchRequest = z.object({
  ids: z.array(z.string().min(1).max(128)).max(POST_BATCH_MAX),
  viewerId: userId.optional(),
});
export type PostBatchRequest = z.infer<typeof postBatchRequest>;

/** The live posts among the ids asked for, in the order asked; deleted and unknown ids are left out. */
export const postBatchResponse = z.object({ items: z.array(readerPostView) });
export type PostBatchResponse = z.infer<typeof postBatchResponse>;

/** Internal `GET /internal/users/:id/counts`: an author's post count. */
export const authorCounts = z.object({ posts: z.number().int().min(0) });
export type AuthorCounts = z.infer<typeof authorCounts>;

/** The posts service, called by Dapr service invocation. */
export function postsClient(dapr: Dapr) {
  return {
    /** A live post (as an anonymous reader sees it); undefined when there is none (never created, or deleted). */
    get: (id: string): Promise<ReaderPostView | undefined> =>
      ifFound(dapr.invoke(APP_IDS.posts, `posts/${encodeURIComponent(id)}`, readerPostView)),

    /** The live posts among `ids`, in their order, as `viewerId` sees them; no call for none. */
    batch: async (ids: readonly string[], viewerId?: string): Promise<ReaderPostView[]> => {
      if (ids.length === 0) return [];
      const body: PostBatchRequest = { ids: [...ids], ...(viewerId ? { viewerId } : {}) };
      const answer = await dapr.invoke(APP_IDS.posts, 'internal/posts/batch', postBatchResponse, {
        method: 'POST',
        body,
      });
      return answer.items;
    },

    authorCounts: (authorId: string): Promise<AuthorCounts> =>
      dapr.invoke(
        APP_IDS.posts,
        `internal/users/${encodeURIComponent(authorId)}/counts`,
        authorCounts,
      ),
  };
}
export type PostsClient = ReturnType<typeof postsClient>;
