import { z } from 'zod';

/**
 * The platform's event catalog: every topic and its payload schema, one place for producers and
 * consumers. Payloads carry what consumers need to act without calling back (fan-out needs the
 * author and the time; cascades need ids only).
 */
const id = z.string().min(1);
const time = z.iso.datetime();

export const EVENTS = {
  'user.registered': z.object({
    userId: id,
    username: z.string(),
    email: z.string(),
    /** Optional: events published before it was added carry none (the username stands in). */
    displayName: z.string().optional(),
    at: time,
  }),
  'user.updated': z.object({
    userId: id,
    username: z.string(),
    email: z.string(),
    displayName: z.string(),
    bio: z.string(),
    at: time,
  }),
  'user.deleted': z.object({ userId: id, username: z.string(), at: time }),
  'follow.created': z.object({ followerId: id, followeeId: id, at: time }),
  'follow.deleted': z.object({ followerId: id, followeeId: id, at: time }),
  'post.created': z.object({
    postId: id,
    authorId: id,
    text: z.string(),
    inReplyTo: id.optional(),
    /**
     * The parent's author, so consumers (notifications) need not ask posts. Absent on events
     * published before posts carried it; consumers then ask.
     */
    inReplyToAuthorId: id.optional(),
    hashtags: z.array(z.string()),
    mentions: z.array(z.string()),
    createdAt: time,
  }),
  'post.updated': z.object({
    postId: id,
    authorId: id,
    text: z.string(),
    hashtags: z.array(z.string()),
    mentions: z.array(z.string()),
    at: time,
  }),
  'post.deleted': z.object({ postId: id, authorId: id, at: time }),
  'like.created': z.object({ postId: id, postAuthorId: id, userId: id, at: time }),
  'like.deleted': z.object({ postId: id, postAuthorId: id, userId: id, at: time }),
  'comment.created': z.object({
    commentId: id,
    postId: id,
    postAuthorId: id,
    authorId: id,
    text: z.string(),
    at: time,
  }),
  'comment.deleted': z.object({
    commentId: id,
    postId: id,
    postAuthorId: id,
    authorId: id,
    at: time,
  }),
} as const;

export type Topic = keyof typeof EVENTS;
export type EventPayload<T extends Topic> = z.infer<(typeof EVENTS)[T]>;

/** An event about to be written with the state change that implies it. */
export interface DomainEvent<T extends Topic = Topic> {
  /** Becomes the CloudEvent id: consumers dedupe redeliveries by it. */
  id: string;
  topic: T;
  data: EventPayload<T>;
}

export function domainEvent<T extends Topic>(
  topic: T,
  data: EventPayload<T>,
  eventId: string,
): DomainEvent<T> {
  return { id: eventId, topic, data };
}

/** At most this many readers in one LIVE_TIMELINE_TOPIC notice (a big fan-out sends several). */
export const TIMELINE_NOTICE_MAX = 500;

/**
 * A notice on the broadcast pub/sub, not a platform event: these readers' home timelines just
 * got posts. Each notifications instance tells its open streams of them; nothing is stored.
 */
export const timelineUpdated = z.object({ userIds: z.array(id).min(1).max(TIMELINE_NOTICE_MAX) });
export type TimelineUpdated = z.infer<typeof timelineUpdated>;
