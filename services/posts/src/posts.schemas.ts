import { z } from 'zod';
import { idList, pageQuery, userText } from '@flock/kit';
import { POST_BATCH_MAX, postId, readerPostView, userId } from './client/posts.client.js';

/** 1..500 user-perceived characters after trimming; whitespace-only is empty. */
export const postText = userText(500);

export const postIdParams = z.object({ id: postId });

/** `GET /posts`: a page of all posts, or with `?ids=` (comma-separated, at most 100) those posts. */
export const listPostsQuery = pageQuery.extend({
  ids: idList(postId, POST_BATCH_MAX, 'post id').optional(),
});
export const userIdParams = z.object({ id: userId });

export const createPostBody = z.object({ text: postText, inReplyTo: postId.optional() });
export type CreatePostInput = z.infer<typeof createPostBody>;

export const updatePostBody = z.object({ text: postText });
export type UpdatePostInput = z.infer<typeof updatePostBody>;

/** Mastodon's `Idempotency-Key`: any string up to 255 characters. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const idempotencyKey = z.string().min(1).max(255, 'at most 255 characters').optional();

// ---- responses ------------------------------------------------------------------------------

/** What the thread view shows in place of a deleted ancestor. */
export const tombstoneView = z.object({
  id: postId,
  deleted: z.literal(true),
  inReplyTo: postId.optional(),
});
export type TombstoneView = z.infer<typeof tombstoneView>;

export const REPLIES_CAP = 60;
/** A reply's context: how much of the replied-to post it carries, in characters. */
export const REPLY_CONTEXT_MAX = 100;
export const ANCESTORS_CAP = 40;

export const threadView = z.object({
  /** Oldest first, at most 40; a deleted ancestor appears as a tombstone. */
  ancestors: z.array(z.union([readerPostView, tombstoneView])),
  post: readerPostView,
  /** Direct replies, oldest first, capped at 60 (`repliesTruncated` says whether more exist). */
  replies: z.array(readerPostView),
  repliesTruncated: z.boolean(),
});
export type ThreadView = z.infer<typeof threadView>;

export const likeView = z.object({ userId, likedAt: z.iso.datetime() });
export type LikeView = z.infer<typeof likeView>;

export const likeState = z.object({
  postId,
  liked: z.boolean(),
  likesCount: z.number().int().min(0),
});
export type LikeState = z.infer<typeof likeState>;

/** Bookmarks are private: nobody else sees them, no count, no notification. */
export const bookmarkState = z.object({ postId, bookmarked: z.boolean() });
export type BookmarkState = z.infer<typeof bookmarkState>;

// ---- what is stored -------------------------------------------------------------------------

export interface PostRecord {
  kind: 'post';
  id: string;
  authorId: string;
  authorUsername: string;
  text: string;
  hashtags: string[];
  mentions: string[];
  inReplyTo?: string;
  /** The replied-to post's author, kept at reply time (absent on replies from before). */
  inReplyToUsername?: string;
  createdAt: string;
  updatedAt: string;
  /** `<createdAt>|<id>`: a total order for newest-first listing and keyset cursors. */
  sortKey: string;
  likesCount: number;
  commentsCount: number;
  repliesCount: number;
}

/** A deleted post leaves this behind, so replies and threads can say what they answered. */
export interface DeletedPostRecord {
  kind: 'post-deleted';
  id: string;
  authorId: string;
  inReplyTo?: string;
  createdAt: string;
  deletedAt: string;
  sortKey: string;
}

export type StoredPost = PostRecord | DeletedPostRecord;

export interface LikeRecord {
  kind: 'like';
  postId: string;
  userId: string;
  likedAt: string;
  /** `<likedAt>|<userId>`. */
  sortKey: string;
}

export interface BookmarkRecord {
  kind: 'bookmark';
  postId: string;
  userId: string;
  bookmarkedAt: string;
  /** `<bookmarkedAt>|<postId>`. */
  sortKey: string;
}

/** Per author: the post count (moved in each post's transaction) and a projection of the profile. */
export interface AuthorStats {
  posts: number;
  /** From user.registered / user.updated; absent until the first of them arrives. */
  profile?: AuthorProfile;
}

export interface AuthorProfile {
  displayName: string;
  /** The time of the event it came from: an older event arriving late changes nothing. */
  at: string;
}
