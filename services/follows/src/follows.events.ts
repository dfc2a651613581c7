import { EVENTS, type Subscription } from '@flock/kit';
import type { FollowsDomain } from './follows.domain.js';
import type { ProcessedEvents } from '@flock/kit';

/**
 * `user.deleted` → every edge of the user goes, in both directions, each with its own
 * `follow.deleted` (so counts and timelines follow). Each edge leaves in its own transaction
 * with its event; a redelivery of a half-done deletion carries on where it stopped.
 */
export function followsSubscriptions(
  follows: FollowsDomain,
  processed: ProcessedEvents,
): Subscription[] {
  const userDeleted: Subscription<(typeof EVENTS)['user.deleted']['_output']> = {
    topic: 'user.deleted',
    schema: EVENTS['user.deleted'],
    async handle(event, log) {
      if (await processed.seen(event.id)) return 'SUCCESS';
      const removed = await follows.removeUser(event.data.userId);
      await processed.remember(event.id);
      log.info({ userId: event.data.userId, removed }, 'removed the edges of a deleted user');
      return 'SUCCESS';
    },
  };
  return [userDeleted as Subscription];
}
