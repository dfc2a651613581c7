import {
  BROADCAST_PUBSUB,
  LIVE_NOTIFICATIONS_TOPIC,
  LIVE_TIMELINE_TOPIC,
  on,
  timelineUpdated,
  type Subscription,
  type TimelineUpdated,
} from '@flock/kit';
import type { NotificationsDomain } from './notifications.domain.js';
import { liveMessage, type LiveMessage } from './notifications.schemas.js';
import type { StreamHub } from './notifications.stream.js';

/**
 * Platform events → notifications. Each notifying event is applied once by its CloudEvent id
 * (the inbox writes and the consume-once marker commit together), so a redelivery notifies
 * nobody twice. A payload failing its schema is dropped by the kit; a handler that throws
 * (store or posts unreachable) is retried.
 */
export function notificationsSubscriptions(
  notifications: NotificationsDomain,
  hub: StreamHub,
): Subscription[] {
  /** From the broadcast pub/sub: every instance gets it and pushes to its own streams. */
  const live: Subscription<LiveMessage> = {
    topic: LIVE_NOTIFICATIONS_TOPIC,
    pubsubName: BROADCAST_PUBSUB,
    schema: liveMessage,
    async handle(event) {
      const { userId, notification } = event.data;
      if (!hub.watching(userId)) return; // nobody to show it to here: posts is not asked
      const [shown] = await notifications.withExcerpts([notification]);
      hub.push(userId, shown ?? notification);
    },
  };

  /** Also from the broadcast pub/sub: the timeline service's "these homes got posts". */
  const timeline: Subscription<TimelineUpdated> = {
    topic: LIVE_TIMELINE_TOPIC,
    pubsubName: BROADCAST_PUBSUB,
    schema: timelineUpdated,
    async handle(event) {
      hub.timelineUpdated(event.data.userIds);
    },
  };

  return [
    on('follow.created', (e) => notifications.followCreated(e.id, e.data).then(() => undefined)),
    on('like.created', (e) => notifications.likeCreated(e.id, e.data).then(() => undefined)),
    on('comment.created', (e) => notifications.commentCreated(e.id, e.data).then(() => undefined)),
    on('post.created', (e) => notifications.postCreated(e.id, e.data).then(() => undefined)),
    on('user.registered', (e) => notifications.userRegistered(e.data).then(() => undefined)),
    on('user.deleted', (e) => notifications.userDeleted(e.data).then(() => undefined)),
    live as unknown as Subscription,
    timeline as unknown as Subscription,
  ];
}
