import { cursorPage, decodeCursor, type Handlers, type PageQuery } from '@flock/kit';
import type { api } from './follows.api.js';
import type { FollowsDomain } from './follows.domain.js';
import { position, type Direction } from './follows.schemas.js';

/** Each route of `api`, by name: one line from HTTP to the domain. */
export const followsHandlers = (follows: FollowsDomain): Handlers<typeof api> => {
  const list = async (id: string, direction: Direction, query: PageQuery) =>
    cursorPage(
      await follows.list(
        id,
        direction,
        query.limit,
        query.cursor === undefined ? undefined : decodeCursor(query.cursor, position),
      ),
    );
  return {
    follow: ({ caller, params }) => follows.follow(caller.id, params.id),
    unfollow: ({ caller, params }) => follows.unfollow(caller.id, params.id),
    followers: ({ params, query }) => list(params.id, 'followers', query),
    following: ({ params, query }) => list(params.id, 'following', query),
    relationships: async ({ caller, query }) => ({
      items: await follows.relationships(caller.id, query.ids),
    }),
    counts: ({ params }) => follows.counts(params.id),
  };
};
