import { APP_IDS, pageQuery, type ServiceApi } from '@flock/kit';
import { entry, userParams } from './timeline.schemas.js';

/**
 * Items are `{postId, authorId, createdAt}`, newest first; hydrate the posts from the posts
 * service. A timeline keeps ids only, so an edited post never shows a stale text.
 */
export const api: ServiceApi = {
  appId: APP_IDS.timeline,
  tag: 'timeline',
  routes: [
    {
      method: 'get',
      path: '/timeline/home',
      access: 'auth',
      summary:
        "The caller's home timeline: their own posts and those of whom they follow (the newest 800, plus recent posts of followed celebrities), newest first.",
      query: pageQuery,
      responses: { 200: entry },
      paginated: true,
    },
    {
      method: 'get',
      path: '/users/:id/timeline',
      access: 'public',
      summary: "User :id's own posts, newest first.",
      params: userParams,
      query: pageQuery,
      responses: { 200: entry },
      paginated: true,
    },
  ],
};
