import {
  BROADCAST_PUBSUB,
  LIVE_TIMELINE_TOPIC,
  TIMELINE_NOTICE_MAX,
  newEventId,
  on,
  type Dapr,
  type Logger,
  type ProcessedEvents,
  type Subscription,
  type TimelineUpdated,
} from '@flock/kit';
import type { TimelineDomain } from './timeline.domain.js';

/**
 * Tells every notifications instance which readers' homes just got posts, on the broadcast
 * pub/sub, in notices of at most TIMELINE_NOTICE_MAX readers. Fire and forget, not through an
 * outbox: the home timeline is the truth and a lost notice only delays a "new posts" pill (the
 * web client also checks on its own now and then).
 */
export function announceOnBroadcast(dapr: Dapr, logger: Logger) {
  return (userIds: readonly string[]): void => {
    for (let i = 0; i < userIds.length; i += TIMELINE_NOTICE_MAX) {
      const notice: TimelineUpdated = { userIds: userIds.slice(i, i + TIMELINE_NOTICE_MAX) };
      dapr
        .publishTo(BROADCAST_PUBSUB, LIVE_TIMELINE_TOPIC, notice, newEventId())
        .catch((error: unknown) => logger.warn({ err: error }, 'timeline notice not published'));
    }
  };
}

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
