import type { Express } from 'express';
import {
  decodeCursor,
  encodeCursor,
  offsetCursor,
  pageQuery,
  requireCaller,
  sendPage,
} from '@flock/kit';
import type { CommentsDomain } from './comments.domain.js';
import { commentBody, commentIdParams, postIdParams } from './comments.schemas.js';

export function commentsRoutes(app: Express, comments: CommentsDomain): void {
  app.post('/posts/:id/comments', async (req, res) => {
    const caller = requireCaller(req);
    const { id } = postIdParams.parse(req.params);
    const comment = await comments.create(caller, id, commentBody.parse(req.body));
    res.status(201).location(`/api/v1/comments/${comment.id}`).json(comment);
  });

  app.get('/posts/:id/comments', async (req, res) => {
    const { id } = postIdParams.parse(req.params);
    const { cursor, limit } = pageQuery.parse(req.query);
    const offset = cursor ? decodeCursor(cursor, offsetCursor).offset : 0;
    const page = await comments.list(id, offset, limit);
    sendPage(req, res, {
      items: page.items,
      ...(page.nextOffset !== undefined
        ? { nextCursor: encodeCursor({ offset: page.nextOffset }) }
        : {}),
    });
  });

  app.patch('/comments/:id', async (req, res) => {
    const caller = requireCaller(req);
    const { id } = commentIdParams.parse(req.params);
    res.json(await comments.update(caller, id, commentBody.parse(req.body)));
  });

  app.delete('/comments/:id', async (req, res) => {
    const caller = requireCaller(req);
    await comments.remove(caller, commentIdParams.parse(req.params).id);
    res.status(204).end();
  });
}
