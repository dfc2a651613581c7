import { APP_IDS, pageQuery, type ServiceApi } from '@flock/kit';
import {
  createPostBody,
  likeState,
  likeView,
  postIdParams,
  postView,
  threadView,
  updatePostBody,
} from './posts.schemas.js';

/** The posts service's public API; the gateway routes and documents by it. */
export const api: ServiceApi = {
  appId: APP_IDS.posts,
  tag: 'posts',
  routes: [
    {
      method: 'post',
      path: '/posts',
      access: 'auth',
      summary:
        'Create a post (optionally a reply). Hashtags and mentions are parsed from the text. ' +
        'The same Idempotency-Key from the same user within 24 h returns the first post (200).',
      body: createPostBody,
      responses: { 201: postView, 200: postView },
      idempotent: true,
    },
    {
      method: 'get',
      path: '/posts',
      access: 'public',
      summary: 'All posts, newest first.',
      query: pageQuery,
      responses: { 200: postView },
      paginated: true,
    },
    {
      method: 'get',
      path: '/posts/:id',
      access: 'public',
      summary: 'A post with its likes, comments and replies counts.',
      params: postIdParams,
      responses: { 200: postView },
    },
    {
      method: 'get',
      path: '/posts/:id/thread',
      access: 'public',
      summary:
        'A post in its thread: ancestors oldest first (at most 40; deleted ones as tombstones) ' +
        'and its direct replies oldest first (capped at 60, repliesTruncated says if more exist).',
      params: postIdParams,
      responses: { 200: threadView },
    },
    {
      method: 'patch',
      path: '/posts/:id',
      access: 'auth',
      summary: 'Edit your post; hashtags and mentions are parsed again.',
      params: postIdParams,
      body: updatePostBody,
      responses: { 200: postView },
    },
    {
      method: 'delete',
      path: '/posts/:id',
      access: 'auth',
      summary:
        'Delete your post and its likes. Replies stay and keep inReplyTo; the thread view ' +
        'shows the deleted post as a tombstone.',
      params: postIdParams,
      responses: { 204: null },
    },
    {
      method: 'post',
      path: '/posts/:id/like',
      access: 'auth',
      summary: 'Like a post (liking twice is one like).',
      params: postIdParams,
      responses: { 200: likeState },
    },
    {
      method: 'delete',
      path: '/posts/:id/like',
      access: 'auth',
      summary: 'Take back your like (no-op if you had not liked it).',
      params: postIdParams,
      responses: { 200: likeState },
    },
    {
      method: 'get',
      path: '/posts/:id/likes',
      access: 'public',
      summary: 'Who liked a post, newest first.',
      params: postIdParams,
      query: pageQuery,
      responses: { 200: likeView },
      paginated: true,
    },
  ],
};
