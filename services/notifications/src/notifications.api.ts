import { APP_IDS, type ServiceApi } from '@flock/kit';
import { z } from 'zod';
import {
  listQuery,
  notification,
  notificationParams,
  readAllResult,
  streamQuery,
} from './notifications.schemas.js';

/**
 * The public routes of the notifications service (`POST /internal/notifications` is for other
 * services, by Dapr invocation only). A notification is
 * `{id, type: follow|like|comment|reply|mention, actorId, postId?, commentId?, createdAt, read}`;
 * ids sort by time.
 */
export const api: ServiceApi = {
  appId: APP_IDS.notifications,
  tag: 'notifications',
  routes: [
    {
      method: 'get',
      path: '/notifications',
      access: 'auth',
      summary:
        "The caller's notifications, newest first (kept 90 days). `?unread=true`: unread only. " +
        'The body is `{items, nextCursor?, unreadCount}`: `unreadCount` counts all unread notifications, whatever the filter or page.',
      query: listQuery,
      responses: { 200: notification },
      paginated: true,
      pageExtras: z.object({ unreadCount: z.number().int().min(0) }),
    },
    {
      method: 'get',
      path: '/notifications/stream',
      access: 'auth',
      summary:
        'Server-sent events (`text/event-stream`): each new notification of the caller as `event: notification`, `id: <notification id>`, `data: <notification JSON>`, within a second. Reconnect with `Last-Event-ID` (or `?lastEventId=`) to replay what was missed (up to 100). `: ping` comments every 15 s keep proxies from closing it.',
      query: streamQuery,
      responses: { 200: null },
      stream: true,
    },
    {
      method: 'post',
      path: '/notifications/read-all',
      access: 'auth',
      summary: 'Mark every notification of the caller read; answers how many changed.',
      responses: { 200: readAllResult },
    },
    {
      method: 'post',
      path: '/notifications/:id/read',
      access: 'auth',
      summary:
        'Mark one of your notifications read (idempotent). 404 if it is not yours or does not exist.',
      params: notificationParams,
      responses: { 200: notification },
    },
  ],
};
