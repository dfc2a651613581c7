import { decodeCursor, encodeCursor, offsetCursor, publicPath, type Handlers } from '@flock/kit';
import type { api } from './comments.api.js';
import type { CommentsDomain } from './comments.domain.js';

/** Each route of `api`, by name: one line from HTTP to the domain. */
export const commentsHandlers = (comments: CommentsDomain): Handlers<typeof api> => ({
  async create({ caller, params, body, req, res }) {
    const comment = await comments.create(caller, params.id, body);
    res.location(publicPath(req, `/comments/${comment.id}`));
    return comment;
  },
  async list({ params, query: { cursor, limit } }) {
    const offset = cursor ? decodeCursor(cursor, offsetCursor).offset : 0;
    const page = await comments.list(params.id, offset, limit);
    return {
      items: page.items,
      ...(page.nextOffset !== undefined
        ? { nextCursor: encodeCursor({ offset: page.nextOffset }) }
        : {}),
    };
  },
  update: ({ caller, params, body }) => comments.update(caller, params.id, body),
  remove: ({ caller, params }) => comments.remove(caller, params.id),
});
