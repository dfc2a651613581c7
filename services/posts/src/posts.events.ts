import { on, type Subscription } from '@flock/kit';
import type { PostsDomain } from './posts.domain.js';

/** What posts reacts to. A thrown error retries the event; a malformed payload is dropped. */
export function postsSubscriptions(posts: PostsDomain): Subscription[] {
  return [
    on('comment.created', (event) => posts.countComment(event.id, event.data.postId, +1)),
    on('comment.deleted', (event) => posts.countComment(event.id, event.data.postId, -1)),
    on('user.registered', ({ id, data }) =>
      posts.authorProfile(id, data.userId, data.displayName ?? data.username, data.at),
    ),
    on('user.updated', ({ id, data }) =>
      posts.authorProfile(id, data.userId, data.displayName, data.at),
    ),
    on('user.deleted', async (event, log) => {
      const removed = await posts.removeUser(event.data.userId);
      log.info(
        { userId: event.data.userId, ...removed },
        'removed a deleted user’s posts and likes',
      );
    }),
  ];
}
