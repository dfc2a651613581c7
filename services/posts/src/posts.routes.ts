import type { Express, Request } from 'express';
import {
  decodeCursor,
  encodeCursor,
  pageQuery,
  requireCaller,
  offsetCursor,
  postBatchRequest,
  sendPage,
  type PostBatchResponse,
  type OffsetPage,
  type Page,
} from '@flock/kit';
import type { PostsDomain } from './posts.domain.js';
import {
  IDEMPOTENCY_HEADER,
  createPostBody,
  idempotencyKey,
  postIdParams,
  updatePostBody,
  userIdParams,
} from './posts.schemas.js';

/** `?cursor=&limit=` → where the page starts, and its size. */
function pageOf(req: Request): { offset: number; limit: number } {
  const { cursor, limit } = pageQuery.parse(req.query);
  return { offset: cursor ? decodeCursor(cursor, offsetCursor).offset : 0, limit };
}

const withCursor = <T>(page: OffsetPage<T>): Page<T> => ({
  items: page.items,
  ...(page.nextOffset !== undefined
    ? { nextCursor: encodeCursor({ offset: page.nextOffset }) }
    : {}),
});

export function postsRoutes(app: Express, posts: PostsDomain): void {
  app.post('/posts', async (req, res) => {
    const caller = requireCaller(req);
    const key = idempotencyKey.parse(req.get(IDEMPOTENCY_HEADER));
    const { post, created } = await posts.create(caller, createPostBody.parse(req.body), key);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res
      .status(created ? 201 : 200)
      .location(`/api/v1/posts/${post.id}`)
      .json(post);
  });

  app.get('/posts', async (req, res) => {
    const { offset, limit } = pageOf(req);
    sendPage(req, res, withCursor(await posts.list(offset, limit)));
  });

  app.get('/posts/:id', async (req, res) => {
    res.json(await posts.get(postIdParams.parse(req.params).id));
  });

  app.get('/posts/:id/thread', async (req, res) => {
    res.json(await posts.thread(postIdParams.parse(req.params).id));
  });

  app.patch('/posts/:id', async (req, res) => {
    const caller = requireCaller(req);
    const { id } = postIdParams.parse(req.params);
    res.json(await posts.update(caller, id, updatePostBody.parse(req.body)));
  });

  app.delete('/posts/:id', async (req, res) => {
    const caller = requireCaller(req);
    await posts.remove(caller, postIdParams.parse(req.params).id);
    res.status(204).end();
  });

  app.post('/posts/:id/like', async (req, res) => {
    const caller = requireCaller(req);
    res.json(await posts.like(caller, postIdParams.parse(req.params).id));
  });

  app.delete('/posts/:id/like', async (req, res) => {
    const caller = requireCaller(req);
    res.json(await posts.unlike(caller, postIdParams.parse(req.params).id));
  });

  app.get('/posts/:id/likes', async (req, res) => {
    const { id } = postIdParams.parse(req.params);
    const { offset, limit } = pageOf(req);
    sendPage(req, res, withCursor(await posts.likes(id, offset, limit)));
  });

  // Internal: reached only by service invocation (the gateway routes public paths only).
  app.post('/internal/posts/batch', async (req, res) => {
    const { ids, viewerId } = postBatchRequest.parse(req.body);
    res.json({ items: await posts.batch(ids, viewerId) } satisfies PostBatchResponse);
  });

  app.get('/internal/users/:id/counts', async (req, res) => {
    res.json(await posts.authorCounts(userIdParams.parse(req.params).id));
  });
}
