import { APP_IDS, defineApi, pageQuery } from '@flock/kit';
import {
  authorCounts,
  postBatchRequest,
  postBatchResponse,
  readerPostView,
} from './client/posts.client.js';
import {
  createPostBody,
  listPostsQuery,
  bookmarkState,
  likeState,
  likeView,
  postIdParams,
  threadView,
  updatePostBody,
  userIdParams,
} from './posts.schemas.js';

/** The posts service's API; it serves by it, and the gateway routes and documents by it. */
export const api = defineApi({
  appId: APP_IDS.posts,
  tag: 'posts',
  routes: {
    create: {
      method: 'post',
      path: '/posts',
      access: 'auth',
      summary:
        'Create a post (optionally a reply). Hashtags and mentions are parsed from the text. ' +
        'The same Idempotency-Key from the same user within 24 h returns the first post (200).',
      body: createPostBody,
      responses: { 201: readerPostView, 200: readerPostView },
      idempotent: true,
    },
    list: {
      method: 'get',
      path: '/posts',
      access: 'optional-auth',
      summary:
        'All posts, newest first; with `ids` (comma-separated, at most 100), just those, in the order asked, deleted and unknown ones left out.',
      query: listPostsQuery,
      responses: { 200: readerPostView },
      paginated: true,
    },
    get: {
      method: 'get',
      path: '/posts/:id',
      access: 'optional-auth',
      summary:
        'A post with its likes, comments and replies counts, and whether you like it (false when anonymous).',
      params: postIdParams,
      responses: { 200: readerPostView },
    },
    thread: {
      method: 'get',
      path: '/posts/:id/thread',
      access: 'optional-auth',
      summary:
        'A post in its thread: ancestors oldest first (at most 40; deleted ones as tombstones) ' +
        'and its direct replies oldest first (capped at 60, repliesTruncated says if more exist).',
      params: postIdParams,
      responses: { 200: threadView },
    },
    update: {
      method: 'patch',
      path: '/posts/:id',
      access: 'auth',
      summary: 'Edit your post; hashtags and mentions are parsed again.',
      params: postIdParams,
      body: updatePostBody,
      responses: { 200: readerPostView },
    },
    remove: {
      method: 'delete',
      path: '/posts/:id',
      access: 'auth',
      summary:
        'Delete your post, its likes and the bookmarks of it. Replies stay and keep inReplyTo; the thread view ' +
        'shows the deleted post as a tombstone.',
      params: postIdParams,
      responses: { 204: null },
    },
    like: {
      method: 'post',
      path: '/posts/:id/like',
      access: 'auth',
      summary: 'Like a post (liking twice is one like).',
      params: postIdParams,
      responses: { 200: likeState },
    },
    unlike: {
      method: 'delete',
      path: '/posts/:id/like',
      access: 'auth',
      summary: 'Take back your like (no-op if you had not liked it).',
      params: postIdParams,
      responses: { 200: likeState },
    },
    likes: {
      method: 'get',
      path: '/posts/:id/likes',
      access: 'public',
      summary: 'Who liked a post, newest first.',
      params: postIdParams,
      query: pageQuery,
      responses: { 200: likeView },
      paginated: true,
    },
    bookmark: {
      method: 'post',
      path: '/posts/:id/bookmark',
      access: 'auth',
      summary: 'Bookmark a post, privately (bookmarking twice is one bookmark).',
      params: postIdParams,
      responses: { 200: bookmarkState },
    },
    unbookmark: {
      method: 'delete',
      path: '/posts/:id/bookmark',
      access: 'auth',
      summary: 'Take a bookmark away (no-op without one; also for a post deleted since).',
      params: postIdParams,
      responses: { 200: bookmarkState },
    },
    bookmarks: {
      method: 'get',
      path: '/bookmarks',
      access: 'auth',
      summary: 'Your bookmarked posts, newest bookmark first; posts deleted since are left out.',
      query: pageQuery,
      responses: { 200: readerPostView },
      paginated: true,
    },
    batch: {
      method: 'post',
      path: '/internal/posts/batch',
      access: 'internal',
      summary: 'Posts by id as a reader sees them (for timelines); missing ones are left out.',
      body: postBatchRequest,
      responses: { 200: postBatchResponse },
    },
    authorCounts: {
      method: 'get',
      path: '/internal/users/:id/counts',
      access: 'internal',
      summary: "An author's post count (for profiles).",
      params: userIdParams,
      responses: { 200: authorCounts },
    },
  },
});
