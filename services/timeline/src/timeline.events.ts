import { on, type ProcessedEvents, type Subscription } from '@flock/kit';
import type { TimelineDomain } from './timeline.domain.js';

/**
 * One subscription per topic. A fully handled event is remembered by its CloudEvent id, so a
 * redelivery changes nothing; a half-handled one is finished (every step is idempotent).
 * A payload that fails its schema is dropped by the kit; a handler that throws is retried.
 */
export function timelineSubscriptions(
  timeline: TimelineDomain,
  processed: ProcessedEvents,
): Subscription[] {
  return [
    on('post.created', ({ id, data }) =>
      processed.once(id, () =>
        timeline.postCreated({
          postId: data.postId,
          authorId: data.authorId,
          createdAt: data.createdAt,
        }),
      ),
    ),
    on('post.deleted', ({ id, data }) => processed.once(id, () => timeline.postDeleted(data))),
    on('follow.created', ({ id, data }) => processed.once(id, () => timeline.followCreated(data))),
    on('follow.deleted', ({ id, data }) => processed.once(id, () => timeline.followDeleted(data))),
    on('user.deleted', ({ id, data }) =>
      processed.once(id, () => timeline.userDeleted(data.userId)),
    ),
  ];
}
