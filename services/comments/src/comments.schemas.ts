import { z } from 'zod';
import { userText } from '@flock/kit';

export const postId = z.uuid('a post id');
export const commentId = z.uuid('a comment id');

/** 1..500 user-perceived characters after trimming; whitespace-only is empty. */
export const commentText = userText(500);

export const postIdParams = z.object({ id: postId });
export const commentIdParams = z.object({ id: commentId });

export const commentBody = z.object({ text: commentText });
export type CommentInput = z.infer<typeof commentBody>;

export const commentView = z.object({
  id: commentId,
  postId,
  authorId: z.string(),
  authorUsername: z.string(),
  text: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CommentView = z.infer<typeof commentView>;

// ---- what is stored -------------------------------------------------------------------------

export interface CommentRecord {
  kind: 'comment';
  id: string;
  postId: string;
  /** Known at creation, so comment.* events can say whose post it was. */
  postAuthorId: string;
  authorId: string;
  authorUsername: string;
  text: string;
  createdAt: string;
  updatedAt: string;
  /** `<createdAt>|<id>`: a total order for oldest-first listing and keyset cursors. */
  sortKey: string;
}

/**
 * What comments knows of a commented post. Every comment insert rewrites it under its etag and
 * post.deleted marks it deleted under its etag, so a comment can never slip in after the
 * deletion cascade read the post's comments.
 */
export interface PostRefRecord {
  kind: 'post-ref';
  postId: string;
  postAuthorId: string;
  deleted: boolean;
}
