import { EVENTS, type Subscription } from '@flock/kit';
import type { z } from 'zod';
import type { SearchDomain } from './search.domain.js';
import { userRegistered, userUpdated } from './search.schemas.js';

/**
 * user.* and post.* keep the index current. Each effect commits with the event id in one SQL
 * transaction (exactly once per id); a database failure throws, and the event is retried.
 */
export function searchSubscriptions(search: SearchDomain): Subscription[] {
  const on = <S extends z.ZodType>(
    topic: string,
    schema: S,
    handle: (id: string, data: z.infer<S>) => Promise<unknown>,
  ): Subscription =>
    ({
      topic,
      schema,
      async handle(event, log) {
        const outcome = await handle(event.id, event.data);
        log.debug({ outcome }, 'indexed');
      },
    }) as Subscription<z.infer<S>> as Subscription;

  return [
    on('user.registered', userRegistered, (id, d) =>
      search.userRegistered(id, {
        userId: d.userId,
        username: d.username,
        at: d.at,
        ...(d.email === undefined ? {} : { email: d.email }),
        ...(d.displayName === undefined ? {} : { displayName: d.displayName }),
      }),
    ),
    on('user.updated', userUpdated, (id, d) =>
      search.userUpdated(id, {
        userId: d.userId,
        username: d.username,
        displayName: d.displayName,
        at: d.at,
        ...(d.email === undefined ? {} : { email: d.email }),
      }),
    ),
    on('user.deleted', EVENTS['user.deleted'], (id, d) => search.userDeleted(id, d.userId, d.at)),
    on('post.created', EVENTS['post.created'], (id, d) => search.postCreated(id, d, d.createdAt)),
    on('post.updated', EVENTS['post.updated'], (id, d) => search.postUpdated(id, d, d.at)),
    on('post.deleted', EVENTS['post.deleted'], (id, d) =>
      search.postDeleted(id, d.postId, d.authorId, d.at),
    ),
  ];
}
