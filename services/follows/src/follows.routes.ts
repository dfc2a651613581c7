import type { Express } from 'express';
import { decodeCursor, encodeCursor, pageQuery, requireCaller, sendPage } from '@flock/kit';
import type { FollowsDomain } from './follows.domain.js';
import { position, userParams, type Direction } from './follows.schemas.js';

export function followsRoutes(app: Express, follows: FollowsDomain): void {
  app.post('/users/:id/follow', async (req, res) => {
    const caller = requireCaller(req);
    const { id } = userParams.parse(req.params);
    res.json(await follows.follow(caller.id, id));
  });

  app.delete('/users/:id/follow', async (req, res) => {
    const caller = requireCaller(req);
    const { id } = userParams.parse(req.params);
    await follows.unfollow(caller.id, id);
    res.status(204).end();
  });

  for (const direction of ['followers', 'following'] as const satisfies Direction[]) {
    app.get(`/users/:id/${direction}`, async (req, res) => {
      const { id } = userParams.parse(req.params);
      const query = pageQuery.parse(req.query);
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, position);
      const page = await follows.list(id, direction, query.limit, after);
      sendPage(req, res, {
        items: page.items,
        ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
      });
    });
  }

  /** For other services (by invocation); not part of the public API. */
  app.get('/internal/users/:id/counts', async (req, res) => {
    const { id } = userParams.parse(req.params);
    res.json(await follows.counts(id));
  });
}
