import type { Express, Request } from 'express';
import {
  decodeCursor,
  encodeCursor,
  pageQuery,
  requireCaller,
  sendPage,
  type Page,
} from '@flock/kit';
import type { PostsDomain } from './posts.domain.js';
import {
  IDEMPOTENCY_HEADER,
  createPostBody,
  idempotencyKey,
  postIdParams,
  sortKeyCursor,
  updatePostBody,
  userIdParams,
} from './posts.schemas.js';

/** `?cursor=&limit=` → the sort key to continue below, and the page size. */
function pageOf(req: Request): { before: string | undefined; limit: number } {
  const { cursor, limit } = pageQuery.parse(req.query);
  return { before: cursor ? decodeCursor(cursor, sortKeyCursor).before : undefined, limit };
}

const withCursor = <T>(page: Page<T>): Page<T> => ({
  items: page.items,
  ...(page.nextCursor !== undefined
    ? { nextCursor: encodeCursor({ before: page.nextCursor }) }
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
    const { before, limit } = pageOf(req);
    sendPage(req, res, withCursor(await posts.list(before, limit)));
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
    const { before, limit } = pageOf(req);
    sendPage(req, res, withCursor(await posts.likes(id, before, limit)));
  });

  // Internal: reached only by service invocation (the gateway routes public paths only).
  app.get('/internal/users/:id/counts', async (req, res) => {
    res.json(await posts.authorCounts(userIdParams.parse(req.params).id));
  });
}
