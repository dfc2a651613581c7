import { EVENTS, type EventPayload, type Subscription } from '@flock/kit';
import type { PostsDomain } from './posts.domain.js';

/** What posts reacts to. A thrown error retries the event; a malformed payload is dropped. */
export function postsSubscriptions(posts: PostsDomain): Subscription[] {
  const commentCreated: Subscription<EventPayload<'comment.created'>> = {
    topic: 'comment.created',
    schema: EVENTS['comment.created'],
    handle: (event) => posts.countComment(event.id, event.data.postId, +1),
  };
  const commentDeleted: Subscription<EventPayload<'comment.deleted'>> = {
    topic: 'comment.deleted',
    schema: EVENTS['comment.deleted'],
    handle: (event) => posts.countComment(event.id, event.data.postId, -1),
  };
  const userDeleted: Subscription<EventPayload<'user.deleted'>> = {
    topic: 'user.deleted',
    schema: EVENTS['user.deleted'],
    async handle(event, log) {
      const removed = await posts.removeUser(event.data.userId);
      log.info(
        { userId: event.data.userId, ...removed },
        'removed a deleted user’s posts and likes',
      );
    },
  };
  return [commentCreated, commentDeleted, userDeleted] as Subscription[];
}
