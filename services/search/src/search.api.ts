import { APP_IDS, pageQuery, defineApi } from '@flock/kit';
import {
  postHit,
  postSearchQuery,
  tagHit,
  tagParams,
  tagSearchQuery,
  userHit,
  userSearchQuery,
} from './search.schemas.js';

/** The public routes of the search service: all readable without a token but email lookups. */
export const api = defineApi({
  appId: APP_IDS.search,
  tag: 'search',
  routes: {
    users: {
      method: 'get',
      path: '/search/users',
      access: 'optional-auth',
      summary:
        'Users by username (exact and prefix, exact first), by q (fuzzy over usernames, best first) or by email (the exact address only, signed in, with a small budget of its own). At least one of username, email, q.',
      query: userSearchQuery,
      responses: { 200: userHit },
      paginated: true,
      budget: { name: 'email-lookup', query: 'email' },
    },
    posts: {
      method: 'get',
      path: '/search/posts',
      access: 'optional-auth',
      summary:
        'Posts by full-text search, best match first. q is web-search syntax: "a phrase", or, -excluded.',
      query: postSearchQuery,
      responses: { 200: postHit },
      paginated: true,
    },
    tags: {
      method: 'get',
      path: '/search/tags',
      access: 'optional-auth',
      summary: 'Hashtags starting with q (without #), alphabetically, with their post counts.',
      query: tagSearchQuery,
      responses: { 200: tagHit },
      paginated: true,
    },
    tagged: {
      method: 'get',
      path: '/tags/:tag',
      access: 'optional-auth',
      summary: 'Posts carrying hashtag :tag (without #, any case), newest first.',
      params: tagParams,
      query: pageQuery,
      responses: { 200: postHit },
      paginated: true,
    },
  },
});
