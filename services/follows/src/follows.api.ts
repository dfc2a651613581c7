import { APP_IDS, pageQuery, defineApi } from '@flock/kit';
import { counts } from './client/follows.client.js';
import {
  graphItem,
  relationship,
  relationshipsQuery,
  relationshipsView,
  userParams,
} from './follows.schemas.js';

/** The public routes of the follows service (`/internal/*` routes are not public). */
export const api = defineApi({
  appId: APP_IDS.follows,
  tag: 'follows',
  routes: {
    follow: {
      method: 'post',
      path: '/users/:id/follow',
      access: 'auth',
      summary:
        'Follow user :id. Idempotent: following twice is one follow. 400 on self-follow, 404 if the user does not exist.',
      params: userParams,
      responses: { 200: relationship },
    },
    unfollow: {
      method: 'delete',
      path: '/users/:id/follow',
      access: 'auth',
      summary: 'Unfollow user :id. Idempotent: unfollowing someone not followed is a no-op.',
      params: userParams,
      responses: { 204: null },
    },
    followers: {
      method: 'get',
      path: '/users/:id/followers',
      access: 'public',
      summary: 'Who follows user :id, newest follow first.',
      params: userParams,
      query: pageQuery,
      responses: { 200: graphItem },
      paginated: true,
    },
    following: {
      method: 'get',
      path: '/users/:id/following',
      access: 'public',
      summary: 'Whom user :id follows, newest follow first.',
      params: userParams,
      query: pageQuery,
      responses: { 200: graphItem },
      paginated: true,
    },
    relationships: {
      method: 'get',
      path: '/relationships',
      access: 'auth',
      summary:
        'Whether you follow each of the people named in `ids` (comma-separated, at most 40) and whether they follow you, in the order asked.',
      query: relationshipsQuery,
      responses: { 200: relationshipsView },
    },
    counts: {
      method: 'get',
      path: '/internal/users/:id/counts',
      access: 'internal',
      summary: "A user's follower and following counts (for profiles).",
      params: userParams,
      responses: { 200: counts },
    },
  },
});
