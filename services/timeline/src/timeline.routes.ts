import type { Express } from 'express';
import {
  callerOf,
  decodeCursor,
  encodeCursor,
  pageQuery,
  requireCaller,
  sendPage,
} from '@flock/kit';
import type { TimelineDomain } from './timeline.domain.js';
import { homePosition, userParams, userPosition } from './timeline.schemas.js';

export function timelineRoutes(app: Express, timeline: TimelineDomain): void {
  app.get('/timeline/home', async (req, res) => {
    const caller = requireCaller(req);
    const query = pageQuery.parse(req.query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, homePosition);
    const page = await timeline.homePage(caller.id, query.limit, after);
    sendPage(req, res, {
      items: page.items,
      ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
    });
  });

  app.get('/users/:id/timeline', async (req, res) => {
    const { id } = userParams.parse(req.params);
    const query = pageQuery.parse(req.query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, userPosition);
    const page = await timeline.userPage(id, callerOf(req)?.id, query.limit, after);
    sendPage(req, res, {
      items: page.items,
      ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
    });
  });
}
