import { APP_IDS, pageQuery, defineApi } from '@flock/kit';
import { commentBody, commentIdParams, commentView, postIdParams } from './comments.schemas.js';

/** The comments service's public API; the gateway routes and documents by it. */
export const api = defineApi({
  appId: APP_IDS.comments,
  tag: 'comments',
  routes: {
    create: {
      method: 'post',
      path: '/posts/:id/comments',
      access: 'auth',
      summary: 'Comment on a post (404 if the post does not exist).',
      params: postIdParams,
      body: commentBody,
      responses: { 201: commentView },
    },
    list: {
      method: 'get',
      path: '/posts/:id/comments',
      access: 'public',
      summary: 'A post’s comments, oldest first.',
      params: postIdParams,
      query: pageQuery,
      responses: { 200: commentView },
      paginated: true,
    },
    update: {
      method: 'patch',
      path: '/comments/:id',
      access: 'auth',
      summary: 'Edit your comment.',
      params: commentIdParams,
      body: commentBody,
      responses: { 200: commentView },
    },
    remove: {
      method: 'delete',
      path: '/comments/:id',
      access: 'auth',
      summary: 'Delete your comment.',
      params: commentIdParams,
      responses: { 204: null },
    },
  },
});
