import { cursorPage, decodeCursor, type Handlers } from '@flock/kit';
import type { api } from './search.api.js';
import type { SearchDomain, UsersAfter } from './search.domain.js';
import { byRank, byScore, byTag, byTime, byUsername } from './search.schemas.js';

/** Search routes; any caller (optional-auth), email lookups only signed in. */
export const searchHandlers = (search: SearchDomain): Handlers<typeof api> => ({
  async users({ caller, query }) {
    const cursor = query.q === undefined ? byUsername : byScore;
    const after =
      query.cursor === undefined ? undefined : decodeCursor<UsersAfter>(query.cursor, cursor);
    return cursorPage(await search.users(caller, query, query.limit, after));
  },
  async posts({ query }) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, byRank);
    return cursorPage(await search.posts(query.q, query.limit, after));
  },
  async tags({ query }) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, byTag);
    return cursorPage(await search.tags(query.q, query.limit, after));
  },
  async tagged({ params, query }) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, byTime);
    return cursorPage(await search.postsTagged(params.tag, query.limit, after));
  },
});
