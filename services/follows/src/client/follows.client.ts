import { APP_IDS, type Dapr } from '@flock/kit';
import { z } from 'zod';

/*
 * What the follows service answers other services, declared once: follows.api.ts serves its
 * routes with these schemas and followsClient checks the answers with them. This folder is a
 * project of its own: a caller compiles it, not the whole follows service.
 */

/** Internal `GET /internal/users/:id/counts`: a user's follower and following counts. */
export const counts = z.object({
  followers: z.number().int().min(0),
  following: z.number().int().min(0),
});
export type Counts = z.infer<typeof counts>;

/** The follows service, called by Dapr service invocation. */
export function followsClient(dapr: Dapr) {
  return {
    counts: (userId: string): Promise<Counts> =>
      dapr.invoke(APP_IDS.follows, `internal/users/${encodeURIComponent(userId)}/counts`, counts),
  };
}
