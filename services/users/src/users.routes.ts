import {
  CLIENT_ADDRESS_HEADER,
  SESSION_ID_HEADER,
  decodeCursor,
  encodeCursor,
  queryPageToken,
  unauthorized,
  type Handlers,
} from '@flock/kit';
import type { api } from './users.api.js';
import { REGISTRATION_ACCEPTED, type UsersDomain } from './users.domain.js';
import { answerSession, clearSessionCookie, refreshTokenOf } from './users.session-cookie.js';

/** Each route of `api`, by name: one line from HTTP to the domain. */
export const usersHandlers = (users: UsersDomain): Handlers<typeof api> => ({
  async register({ body }) {
    await users.register(body);
    return { detail: REGISTRATION_ACCEPTED };
  },
  // The gateway sets the address; without it (an internal caller) all such calls share one.
  login: async ({ body, req, res }) =>
    answerSession(req, res, await users.login(body, req.get(CLIENT_ADDRESS_HEADER) ?? 'unknown')),
  async refresh({ body, req, res }) {
    const token = refreshTokenOf(req, body.refreshToken);
    try {
      return answerSession(req, res, await users.refresh(token));
    } catch (error) {
      clearSessionCookie(req, res);
      throw error;
    }
  },
  async logout({ caller, body, req, res }) {
    const sessionId = req.get(SESSION_ID_HEADER);
    if (!sessionId) throw unauthorized();
    await users.logout(caller, sessionId, body.refreshToken);
    clearSessionCookie(req, res);
  },
  me: ({ caller }) => users.me(caller),
  async list({ query: { limit, cursor } }) {
    const page = await users.list(
      limit,
      cursor === undefined ? undefined : decodeCursor(cursor, queryPageToken),
    );
    return {
      items: page.items,
      ...(page.nextCursor ? { nextCursor: encodeCursor(page.nextCursor) } : {}),
    };
  },
  profile: ({ params }) => users.profile(params.id),
  update: ({ caller, params, body }) => users.update(caller, params.id, body),
  remove: ({ caller, params }) => users.remove(caller, params.id),
  isRevoked: async ({ params }) => ({
    revoked: await users.isRevoked(params.userId, params.sessionId),
  }),
});
