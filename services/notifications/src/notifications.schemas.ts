import { z } from 'zod';

export const userId = z.uuid('a user id');

/** Time-ordered ids: 12 hex ms + 4 hex sequence + 8 hex random; sorting them sorts by creation. */
export const notificationId = z.string().regex(/^[0-9a-f]{24}$/, 'a notification id');
export const notificationParams = z.object({ id: notificationId });

export const notificationType = z.enum(['follow', 'like', 'comment', 'reply', 'mention']);
export type NotificationType = z.infer<typeof notificationType>;

export const notification = z.object({
  id: notificationId,
  type: notificationType,
  /** Who did it. */
  actorId: z.string().min(1),
  /** The post liked, commented on, replied to (the reply itself) or mentioned in. */
  postId: z.string().min(1).optional(),
  commentId: z.string().min(1).optional(),
  createdAt: z.iso.datetime(),
  read: z.boolean(),
});
export type Notification = z.infer<typeof notification>;

/** Longest excerpt of a post shown with a notification, in characters. */
export const EXCERPT_MAX = 140;

/** A notification as its reader gets it: with the post's words, read when it is shown. */
export const notificationView = notification.extend({
  /**
   * The post's text (the reply or mention itself, or the post liked or commented on), cut to
   * 140 characters; absent when there is no post, it was deleted, or posts did not answer.
   */
  excerpt: z.string().optional(),
});
export type NotificationView = z.infer<typeof notificationView>;

export const listQuery = z.object({
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  unread: z.enum(['true', 'false']).optional(),
});

/** `?lastEventId=`: Last-Event-ID for clients (and proxies) that cannot send the header. */
export const streamQuery = z.object({ lastEventId: notificationId.optional() });

/** List cursor: the id of the last notification returned (ids sort by time). */
export const position = z.object({ id: notificationId });

export const readAllResult = z.object({
  updated: z.number().int().min(0),
  unreadCount: z.literal(0),
});

/** `POST /internal/notifications`: another service asks for a notification (by invocation only). */
export const createRequest = z
  .object({
    userId,
    type: notificationType,
    actorId: z.string().min(1).max(64),
    postId: z.string().min(1).max(64).optional(),
    commentId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type CreateRequest = z.infer<typeof createRequest>;

/** What travels on the broadcast pub/sub (LIVE_NOTIFICATIONS_TOPIC) to every instance: who to push to and what. */
export const liveMessage = z.object({ userId: z.string().min(1), notification });
export type LiveMessage = z.infer<typeof liveMessage>;
