import { cursorPage, decodeCursor, type Handlers } from '@flock/kit';
import type { api } from './timeline.api.js';
import type { TimelineDomain } from './timeline.domain.js';
import { homePosition, userPosition } from './timeline.schemas.js';

/** Each route of `api`, by name: one line from HTTP to the domain. */
export const timelineHandlers = (timeline: TimelineDomain): Handlers<typeof api> => ({
  home: async ({ caller, query: { cursor, limit } }) =>
    cursorPage(
      await timeline.homePage(
        caller.id,
        limit,
        cursor === undefined ? undefined : decodeCursor(cursor, homePosition),
      ),
    ),
  user: async ({ caller, params, query: { cursor, limit } }) =>
    cursorPage(
      await timeline.userPage(
        params.id,
        caller?.id,
        limit,
        cursor === undefined ? undefined : decodeCursor(cursor, userPosition),
      ),
    ),
});
