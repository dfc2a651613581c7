import { APP_IDS, defineApi } from '@flock/kit';
import { z } from 'zod';
import {
  createRequest,
  listQuery,
  notification,
  notificationParams,
  notificationView,
  readAllResult,
  streamQuery,
} from './notifications.schemas.js';

/**
 * The public routes of the notifications service (`POST /internal/notifications` is for other
 * services, by Dapr invocation only). A notification is
 * `{id, type: follow|like|comment|reply|mention, actorId, postId?, commentId?, createdAt, read}`;
 * ids sort by time. The list and the stream add `excerpt`, the post's words (see notificationView).
 */
export const api = defineApi({
  appId: APP_IDS.notifications,
  tag: 'notifications',
  routes: {
    list: {
      method: 'get',
      path: '/notifications',
      access: 'auth',
      summary:
        "The caller's notifications, newest first (kept 90 days). `?unread=true`: unread only. " +
        'The body is `{items, nextCursor?, unreadCount}`: `unreadCount` counts all unread notifications, whatever the filter or page.',
      query: listQuery,
      responses: { 200: notificationView },
      paginated: true,
      pageExtras: z.object({ unreadCount: z.number().int().min(0) }),
    },
    stream: {
      method: 'get',
      path: '/notifications/stream',
      access: 'auth',
      summary:
        'Server-sent events (`text/event-stream`): each new notification of the caller as `event: notification`, `id: <notification id>`, `data: <notification JSON>`, within a second; and `event: timeline`, `data: {}` (no id) when the caller’s home timeline got new posts. Reconnect with `Last-Event-ID` (or `?lastEventId=`) to replay what was missed (up to 100). `: ping` comments every 15 s keep proxies from closing it.',
      query: streamQuery,
      responses: { 200: null },
      stream: true,
    },
    readAll: {
      method: 'post',
      path: '/notifications/read-all',
      access: 'auth',
      summary: 'Mark every notification of the caller read; answers how many changed.',
      responses: { 200: readAllResult },
    },
    read: {
      method: 'post',
      path: '/notifications/:id/read',
      access: 'auth',
      summary:
        'Mark one of your notifications read (idempotent). 404 if it is not yours or does not exist.',
      params: notificationParams,
      responses: { 200: notification },
    },
    create: {
      method: 'post',
      path: '/internal/notifications',
      access: 'internal',
      summary:
        'Notify a user for another service; the Idempotency-Key makes a retry one notification. ' +
        'Nothing is created (204) about yourself, for a deleted user, or for a repeated key.',
      body: createRequest,
      responses: { 201: notification, 204: null },
    },
  },
});
