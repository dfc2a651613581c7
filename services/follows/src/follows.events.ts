import { on, type ProcessedEvents, type Subscription } from '@flock/kit';
import type { FollowsDomain } from './follows.domain.js';

/**
 * `user.deleted` → every edge of the user goes, in both directions, each with its own
 * `follow.deleted` (so counts and timelines follow). Each edge leaves in its own transaction
 * with its event; a redelivery of a half-done deletion carries on where it stopped.
 */
export function followsSubscriptions(
  follows: FollowsDomain,
  processed: ProcessedEvents,
): Subscription[] {
  return [
    on('user.deleted', (event, log) =>
      processed.once(event.id, async () => {
        const removed = await follows.removeUser(event.data.userId);
        log.info({ userId: event.data.userId, removed }, 'removed the edges of a deleted user');
      }),
    ),
  ];
}
