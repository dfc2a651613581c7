import type { Request } from 'express';
import {
  badRequest,
  cursorPage,
  decodeCursor,
  handleError,
  type Handlers,
  type Logger,
} from '@flock/kit';
import { randomUUID } from 'node:crypto';
import type { api } from './notifications.api.js';
import type { NotificationsDomain } from './notifications.domain.js';
import { notificationId, position } from './notifications.schemas.js';
import type { StreamHub } from './notifications.stream.js';

/** Each route of `api`, by name: one line from HTTP to the domain. */
export const notificationsHandlers = (
  notifications: NotificationsDomain,
  hub: StreamHub,
  logger: Logger,
): Handlers<typeof api> => ({
  async list({ caller, query }) {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor, position).id;
    const page = await notifications.list(caller.id, {
      limit: query.limit,
      ...(before === undefined ? {} : { before }),
      unreadOnly: query.unread === 'true',
    });
    const next = page.next === undefined ? undefined : { id: page.next };
    return { ...cursorPage({ items: page.items, next }), unreadCount: page.unreadCount };
  },
  /** SSE. The user comes only from the caller headers, so nobody can open another's stream. */
  async stream({ caller, query, req, res }) {
    const lastEventId = lastEventIdOf(req) ?? query.lastEventId;
    try {
      await hub.open(caller.id, res, async () =>
        lastEventId === undefined ? [] : notifications.since(caller.id, lastEventId),
      );
    } catch (error) {
      handleError(error, (req as { log?: Logger }).log ?? logger);
    }
  },
  readAll: async ({ caller }) => ({
    updated: await notifications.markAllRead(caller.id),
    unreadCount: 0,
  }),
  read: ({ caller, params }) => notifications.markRead(caller.id, params.id),
  async create({ body, req, res }) {
    const key = req.get('idempotency-key') ?? randomUUID();
    const created = await notifications.create(key, body);
    // Nothing about yourself, a deleted user, or a repeated Idempotency-Key: 204.
    res.status(created ? 201 : 204);
    return created;
  },
});

/** `Last-Event-ID`, the header an EventSource resends (it wins over `?lastEventId=`); bad: 400. */
function lastEventIdOf(req: Request): string | undefined {
  const header = req.get('last-event-id');
  if (header === undefined || header === '') return undefined;
  const parsed = notificationId.safeParse(header);
  if (!parsed.success)
    throw badRequest('Last-Event-ID is not a notification id.', [
      { path: 'Last-Event-ID', message: 'a notification id' },
    ]);
  return parsed.data;
}
