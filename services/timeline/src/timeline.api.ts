import { APP_IDS, pageQuery, defineApi } from '@flock/kit';
import { timelineItem, userParams } from './timeline.schemas.js';

/**
 * Items are whole posts as the reader sees them, newest first: one request shows a page. A post
 * deleted since it was listed is left out (a page may then hold fewer than `limit` items).
 */
export const api = defineApi({
  appId: APP_IDS.timeline,
  tag: 'timeline',
  routes: {
    home: {
      method: 'get',
      path: '/timeline/home',
      access: 'auth',
      summary:
        "The caller's home timeline: their own posts and those of whom they follow (the newest 800, plus recent posts of followed celebrities), newest first.",
      query: pageQuery,
      responses: { 200: timelineItem },
      paginated: true,
    },
    user: {
      method: 'get',
      path: '/users/:id/timeline',
      access: 'optional-auth',
      summary: "User :id's own posts, newest first (with a token, each says whether you like it).",
      params: userParams,
      query: pageQuery,
      responses: { 200: timelineItem },
      paginated: true,
    },
  },
});
