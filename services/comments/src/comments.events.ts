import { on, type Subscription } from '@flock/kit';
import type { CommentsDomain } from './comments.domain.js';

/**
 * What comments reacts to. Both cascades are idempotent by the state they leave (what is
 * deleted stays deleted, each deletion commits with its own event), so a redelivery, or a
 * retry after a crash half-way, publishes nothing twice.
 */
export function commentsSubscriptions(comments: CommentsDomain): Subscription[] {
  return [
    on('post.deleted', async (event, log) => {
      const removed = await comments.removePost(event.data.postId, event.data.authorId);
      log.debug({ postId: event.data.postId, removed }, 'removed a deleted post’s comments');
    }),
    on('user.deleted', async (event, log) => {
      const removed = await comments.removeUser(event.data.userId);
      log.info({ userId: event.data.userId, removed }, 'removed a deleted user’s comments');
    }),
  ];
}
