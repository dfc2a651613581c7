import {
  BROADCAST_PUBSUB,
  EVENTS,
  type DeliveredEvent,
  type Subscription,
  type Topic,
} from '@flock/kit';
import type { z } from 'zod';
import type { NotificationsDomain } from './notifications.domain.js';
import { LIVE_TOPIC, liveMessage, type LiveMessage } from './notifications.schemas.js';
import type { StreamHub } from './notifications.stream.js';

type Payload<T extends Topic> = z.infer<(typeof EVENTS)[T]>;

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
  const on = <T extends Topic>(
    topic: T,
    apply: (data: Payload<T>, eventId: string) => Promise<unknown>,
  ): Subscription =>
    ({
      topic,
      schema: EVENTS[topic],
      async handle(event: DeliveredEvent<Payload<T>>) {
        await apply(event.data, event.id);
        return 'SUCCESS';
      },
    }) as Subscription;

  /** From the broadcast pub/sub: every instance gets it and pushes to its own streams. */
  const live: Subscription<LiveMessage> = {
    topic: LIVE_TOPIC,
    pubsubName: BROADCAST_PUBSUB,
    schema: liveMessage,
    async handle(event) {
      hub.push(event.data.userId, event.data.notification);
      return 'SUCCESS';
    },
  };

  return [
    on('follow.created', (e, id) => notifications.followCreated(id, e)),
    on('like.created', (e, id) => notifications.likeCreated(id, e)),
    on('comment.created', (e, id) => notifications.commentCreated(id, e)),
    on('post.created', (e, id) => notifications.postCreated(id, e)),
    on('user.registered', (e) => notifications.userRegistered(e)),
    on('user.deleted', (e) => notifications.userDeleted(e)),
    live as Subscription,
  ];
}
