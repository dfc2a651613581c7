import { EVENTS, type DeliveredEvent, type Subscription, type Topic } from '@flock/kit';
import type { z } from 'zod';
import type { TimelineDomain } from './timeline.domain.js';
import type { ProcessedEvents } from '@flock/kit';

type Payload<T extends Topic> = z.infer<(typeof EVENTS)[T]>;

/**
 * One subscription per topic. A fully handled event is remembered by its CloudEvent id, so a
 * redelivery changes nothing; a half-handled one is finished (every step is idempotent).
 * A payload that fails its schema is dropped by the kit; a handler that throws is retried.
 */
export function timelineSubscriptions(
  timeline: TimelineDomain,
  processed: ProcessedEvents,
): Subscription[] {
  const once = <T extends Topic>(
    topic: T,
    apply: (data: Payload<T>) => Promise<void>,
  ): Subscription =>
    ({
      topic,
      schema: EVENTS[topic],
      async handle(event: DeliveredEvent<Payload<T>>) {
        if (await processed.seen(event.id)) return 'SUCCESS';
        await apply(event.data);
        await processed.remember(event.id);
        return 'SUCCESS';
      },
    }) as Subscription;

  return [
    once('post.created', (p) =>
      timeline.postCreated({ postId: p.postId, authorId: p.authorId, createdAt: p.createdAt }),
    ),
    once('post.deleted', (p) => timeline.postDeleted(p)),
    once('follow.created', (f) => timeline.followCreated(f)),
    once('follow.deleted', (f) => timeline.followDeleted(f)),
    once('user.deleted', (u) => timeline.userDeleted(u.userId)),
  ];
}
