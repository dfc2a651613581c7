import { excerpt, notFound, type EventPayload } from '@flock/kit';
import {
  EXCERPT_MAX,
  type CreateRequest,
  type Notification,
  type NotificationType,
  type NotificationView,
} from './notifications.schemas.js';

/** A notification about to be stored for `userId`. */
export interface Addressed {
  userId: string;
  notification: Notification;
}

/** Storage the domain needs; notifications.store.ts implements it over Dapr state. */
export interface InboxRepository {
  /**
   * Stores the notifications, all or none, exactly once per `dedupeKey` (an event id): a second
   * call with the same key stores nothing and answers 'duplicate'. Deleted users get nothing.
   * Returns what was stored.
   */
  addOnce(dedupeKey: string, batch: readonly Addressed[]): Promise<Addressed[] | 'duplicate'>;
  /** The user's live (unexpired) notifications, newest first. */
  inbox(userId: string): Promise<Notification[]>;
  /** Read-modify-write of the inbox; `change` returning undefined writes nothing. */
  updateInbox(
    userId: string,
    change: (items: Notification[]) => Notification[] | undefined,
  ): Promise<Notification[]>;
  /** Removes the user's notifications; notifications that arrive late for them are ignored. */
  dropUser(userId: string): Promise<void>;
}

/** Posts as the posts service knows them. */
export interface PostDirectory {
  /** Who wrote a post; undefined when the post does not exist. */
  authorOf(postId: string): Promise<string | undefined>;
  /** The texts of the live posts among `postIds` (at most 100), by id. */
  texts(postIds: readonly string[]): Promise<Map<string, string>>;
}

/** username → user id, from `user.registered` / `user.deleted` (usernames never change). */
export interface UsernameDirectory {
  remember(username: string, userId: string): Promise<void>;
  forget(username: string, userId: string): Promise<void>;
  resolve(usernames: readonly string[]): Promise<Map<string, string>>;
}

/** Pushes a stored notification to every instance, which hands it to the user's open streams. */
export interface LiveChannel {
  publish(userId: string, notification: Notification): Promise<void>;
}

export interface Clock {
  now(): Date;
}

interface Draft {
  userId: string;
  type: NotificationType;
  actorId: string;
  postId?: string;
  commentId?: string;
}

/** How many replayed notifications a reconnecting stream gets at most. */
export const REPLAY_LIMIT = 100;
/** At most this many users are notified of mentions in one post. */
export const MENTION_LIMIT = 20;

export interface ListOptions {
  limit: number;
  /** Only notifications older than this id (the cursor). */
  before?: string;
  unreadOnly?: boolean;
}

export class NotificationsDomain {
  constructor(
    private readonly repo: InboxRepository,
    private readonly posts: PostDirectory,
    private readonly usernames: UsernameDirectory,
    private readonly live: LiveChannel,
    private readonly clock: Clock,
    private readonly newId: (nowMs: number) => string,
  ) {}

  followCreated(eventId: string, e: { followerId: string; followeeId: string }) {
    return this.notify(eventId, [{ userId: e.followeeId, type: 'follow', actorId: e.followerId }]);
  }

  likeCreated(eventId: string, e: { postId: string; postAuthorId: string; userId: string }) {
    return this.notify(eventId, [
      { userId: e.postAuthorId, type: 'like', actorId: e.userId, postId: e.postId },
    ]);
  }

  commentCreated(
    eventId: string,
    e: { commentId: string; postId: string; postAuthorId: string; authorId: string },
  ) {
    return this.notify(eventId, [
      {
        userId: e.postAuthorId,
        type: 'comment',
        actorId: e.authorId,
        postId: e.postId,
        commentId: e.commentId,
      },
    ]);
  }

  /**
   * A reply notifies the parent's author (named by the event; posts is asked only for events
   * from before it was); mentions notify the mentioned users. Someone both replied to and
   * mentioned gets one notification (the reply). `postId` is the new post.
   */
  async postCreated(
    eventId: string,
    e: Pick<
      EventPayload<'post.created'>,
      'postId' | 'authorId' | 'inReplyTo' | 'inReplyToAuthorId' | 'mentions'
    >,
  ) {
    const drafts: Draft[] = [];
    if (e.inReplyTo !== undefined) {
      const parentAuthor = e.inReplyToAuthorId ?? (await this.posts.authorOf(e.inReplyTo));
      if (parentAuthor !== undefined)
        drafts.push({ userId: parentAuthor, type: 'reply', actorId: e.authorId, postId: e.postId });
    }
    const names = [...new Set(e.mentions.map((m) => m.toLowerCase()))].slice(0, MENTION_LIMIT);
    if (names.length > 0) {
      const ids = await this.usernames.resolve(names);
      for (const name of names) {
        const id = ids.get(name);
        if (id !== undefined)
          drafts.push({ userId: id, type: 'mention', actorId: e.authorId, postId: e.postId });
      }
    }
    return this.notify(eventId, drafts);
  }

  /** For other services; `dedupeKey` makes a retried request create nothing new. */
  async create(dedupeKey: string, request: CreateRequest): Promise<Notification | undefined> {
    return (await this.notify(`internal:${dedupeKey}`, [request]))[0];
  }

  userRegistered(e: { userId: string; username: string }) {
    return this.usernames.remember(e.username.toLowerCase(), e.userId);
  }

  async userDeleted(e: { userId: string; username: string }) {
    await this.repo.dropUser(e.userId);
    await this.usernames.forget(e.username.toLowerCase(), e.userId);
  }

  async list(userId: string, options: ListOptions) {
    const all = await this.repo.inbox(userId);
    const unreadCount = all.filter((n) => !n.read).length;
    const matching = all.filter(
      (n) =>
        (options.before === undefined || n.id < options.before) && (!options.unreadOnly || !n.read),
    );
    const shown = matching.slice(0, options.limit);
    const last = shown.at(-1);
    return {
      items: await this.withExcerpts(shown),
      unreadCount,
      ...(matching.length > options.limit && last ? { next: last.id } : {}),
    };
  }

  /** Marks one of the caller's notifications read; anybody else's is "not found". Idempotent. */
  async markRead(userId: string, id: string): Promise<Notification> {
    let found: Notification | undefined;
    await this.repo.updateInbox(userId, (items) => {
      const index = items.findIndex((n) => n.id === id);
      found = items[index];
      if (!found || found.read) return undefined;
      found = { ...found, read: true };
      return items.map((n, i) => (i === index ? found! : n));
    });
    if (!found) throw notFound(`Notification ${id} does not exist.`);
    return found;
  }

  /** Marks every notification of the caller read; returns how many changed. */
  async markAllRead(userId: string): Promise<number> {
    let updated = 0;
    await this.repo.updateInbox(userId, (items) => {
      updated = items.filter((n) => !n.read).length;
      return updated === 0 ? undefined : items.map((n) => (n.read ? n : { ...n, read: true }));
    });
    return updated;
  }

  /** What a reconnecting stream missed: notifications newer than `lastId`, oldest first. */
  async since(userId: string, lastId: string): Promise<NotificationView[]> {
    const newer = (await this.repo.inbox(userId)).filter((n) => n.id > lastId);
    return this.withExcerpts(newer.slice(0, REPLAY_LIMIT).reverse());
  }

  /**
   * The notifications with their posts' words, read now (an edit shows, a deleted post's words
   * go). One call to posts for all of them; if it fails they are shown without: an excerpt is a
   * courtesy, and the list must not fail with it.
   */
  async withExcerpts(items: readonly Notification[]): Promise<NotificationView[]> {
    const ids = [...new Set(items.flatMap((n) => (n.postId ? [n.postId] : [])))];
    const texts = await this.posts.texts(ids).catch(() => new Map<string, string>());
    return items.map((n) => {
      const text = n.postId === undefined ? undefined : texts.get(n.postId);
      return text === undefined ? n : { ...n, excerpt: excerpt(text, EXCERPT_MAX) };
    });
  }

  /** Never for your own actions; one per recipient; stored once per key, then pushed live. */
  private async notify(dedupeKey: string, drafts: readonly Draft[]): Promise<Notification[]> {
    const now = this.clock.now();
    const seen = new Set<string>();
    const batch: Addressed[] = [];
    for (const { userId, ...rest } of drafts) {
      if (userId === rest.actorId || seen.has(userId)) continue;
      seen.add(userId);
      batch.push({
        userId,
        notification: {
          id: this.newId(now.getTime()),
          ...rest,
          createdAt: now.toISOString(),
          read: false,
        },
      });
    }
    if (batch.length === 0) return [];
    const stored = await this.repo.addOnce(dedupeKey, batch);
    if (stored === 'duplicate') return [];
    await Promise.all(stored.map((a) => this.live.publish(a.userId, a.notification)));
    return stored.map((a) => a.notification);
  }
}
