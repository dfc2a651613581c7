import type { Express } from 'express';
import { callerOf, decodeCursor, encodeCursor, sendPage } from '@flock/kit';
import type { SearchDomain, UsersAfter } from './search.domain.js';
import {
  byRank,
  byScore,
  byTag,
  byTime,
  byUsername,
  postSearchQuery,
  tagParams,
  tagSearchQuery,
  userSearchQuery,
} from './search.schemas.js';

const next = (position: unknown) =>
  position === undefined ? {} : { nextCursor: encodeCursor(position) };

/** Search routes; any caller (the gateway marks them optional-auth), email lookups only signed in. */
export function searchRoutes(app: Express, search: SearchDomain): void {
  app.get('/search/users', async (req, res) => {
    const query = userSearchQuery.parse(req.query);
    const cursor = query.q === undefined ? byUsername : byScore;
    const after =
      query.cursor === undefined ? undefined : decodeCursor<UsersAfter>(query.cursor, cursor);
    const page = await search.users(callerOf(req), query, query.limit, after);
    sendPage(req, res, { items: page.items, ...next(page.next) });
  });

  app.get('/search/posts', async (req, res) => {
    const query = postSearchQuery.parse(req.query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, byRank);
    const page = await search.posts(query.q, query.limit, after);
    sendPage(req, res, { items: page.items, ...next(page.next) });
  });

  app.get('/search/tags', async (req, res) => {
    const query = tagSearchQuery.parse(req.query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, byTag);
    const page = await search.tags(query.q, query.limit, after);
    sendPage(req, res, { items: page.items, ...next(page.next) });
  });

  app.get('/tags/:tag', async (req, res) => {
    const { tag } = tagParams.parse(req.params);
    const query = tagSearchQuery.omit({ q: true }).parse(req.query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, byTime);
    const page = await search.postsTagged(tag, query.limit, after);
    sendPage(req, res, { items: page.items, ...next(page.next) });
  });
}
