import type { Express, Request } from 'express';
import {
  badRequest,
  decodeCursor,
  encodeCursor,
  handleError,
  requireCaller,
  sendPage,
  type Logger,
} from '@flock/kit';
import { randomUUID } from 'node:crypto';
import type { NotificationsDomain } from './notifications.domain.js';
import {
  createRequest,
  listQuery,
  notificationId,
  notificationParams,
  position,
  streamQuery,
} from './notifications.schemas.js';
import type { StreamHub } from './notifications.stream.js';

export function notificationsRoutes(
  app: Express,
  notifications: NotificationsDomain,
  hub: StreamHub,
  logger: Logger,
): void {
  app.get('/notifications', async (req, res) => {
    const caller = requireCaller(req);
    const query = listQuery.parse(req.query);
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor, position).id;
    const page = await notifications.list(caller.id, {
      limit: query.limit,
      ...(before === undefined ? {} : { before }),
      unreadOnly: query.unread === 'true',
    });
    const nextCursor = page.next === undefined ? undefined : encodeCursor({ id: page.next });
    sendPage(
      req,
      res,
      { items: page.items, ...(nextCursor ? { nextCursor } : {}) },
      { unreadCount: page.unreadCount },
    );
  });

  app.post('/notifications/read-all', async (req, res) => {
    const caller = requireCaller(req);
    res.json({ updated: await notifications.markAllRead(caller.id), unreadCount: 0 });
  });

  app.post('/notifications/:id/read', async (req, res) => {
    const caller = requireCaller(req);
    const { id } = notificationParams.parse(req.params);
    res.json(await notifications.markRead(caller.id, id));
  });

  /** SSE. The user comes only from the caller headers, so nobody can open another's stream. */
  app.get('/notifications/stream', async (req, res) => {
    const caller = requireCaller(req);
    const lastEventId = lastEventIdOf(req);
    try {
      await hub.open(caller.id, res, async () =>
        lastEventId === undefined ? [] : notifications.since(caller.id, lastEventId),
      );
    } catch (error) {
      handleError(error, (req as { log?: Logger }).log ?? logger);
    }
  });

  /** For other services, by Dapr invocation only (the gateway does not route `/internal`). */
  app.post('/internal/notifications', async (req, res) => {
    const body = createRequest.parse(req.body);
    const key = req.get('idempotency-key') ?? randomUUID();
    const created = await notifications.create(key, body);
    if (created) res.status(201).json(created);
    else res.status(204).end(); // about yourself, a deleted user, or a repeated Idempotency-Key
  });
}

/** `Last-Event-ID` (the header an EventSource resends) or `?lastEventId=`; a bad one is 400. */
function lastEventIdOf(req: Request): string | undefined {
  const header = req.get('last-event-id');
  const fromQuery = streamQuery.parse(req.query).lastEventId;
  if (header === undefined || header === '') return fromQuery;
  const parsed = notificationId.safeParse(header);
  if (!parsed.success)
    throw badRequest('Last-Event-ID is not a notification id.', [
      { path: 'Last-Event-ID', message: 'a notification id' },
    ]);
  return parsed.data;
}
