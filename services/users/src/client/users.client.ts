import { APP_IDS, ifFound, type Dapr } from '@flock/kit';
import { z } from 'zod';

/*
 * What the users service answers other services, declared once: users.api.ts serves its routes
 * with these schemas and usersClient checks the answers with them. This folder is a project of
 * its own: a caller compiles it, not the whole users service.
 */

export const publicUser = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  bio: z.string(),
  createdAt: z.iso.datetime(),
});
export type PublicUser = z.infer<typeof publicUser>;

/** Counts come from the services that own them; null when that service could not answer. */
export const userProfile = publicUser.extend({
  followers: z.number().int().nullable(),
  following: z.number().int().nullable(),
  posts: z.number().int().nullable(),
});
export type UserProfile = z.infer<typeof userProfile>;

/** Internal `GET /internal/users/:userId/sessions/:sessionId/revoked`. */
export const revocation = z.object({ revoked: z.boolean() });

/** The users service, called by Dapr service invocation. */
export function usersClient(dapr: Dapr) {
  const id = encodeURIComponent;
  return {
    /** A user's profile; undefined when there is no such user. */
    profile: (userId: string): Promise<UserProfile | undefined> =>
      ifFound(dapr.invoke(APP_IDS.users, `users/${id(userId)}`, userProfile)),

    /** Whether a session was ended (logout, a reused refresh token, a deleted account). */
    isRevoked: async (userId: string, sessionId: string): Promise<boolean> =>
      (
        await dapr.invoke(
          APP_IDS.users,
          `internal/users/${id(userId)}/sessions/${id(sessionId)}/revoked`,
          revocation,
        )
      ).revoked,
  };
}
export type UsersClient = ReturnType<typeof usersClient>;
