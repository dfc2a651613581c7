import {
  AppError,
  BROADCAST_PUBSUB,
  LIVE_NOTIFICATIONS_TOPIC,
  WriteConflict,
  consumeOnce,
  retryOnConflict as retryUnit,
  type Dapr,
  type Logger,
  type StateEntry,
  type StateStore,
  type TransactionOperation,
} from '@flock/kit';
import type { PostsClient } from '@flock/posts/client';
import type {
  Addressed,
  Clock,
  InboxRepository,
  LiveChannel,
  PostDirectory,
  UsernameDirectory,
} from './notifications.domain.js';
import type { LiveMessage, Notification } from './notifications.schemas.js';

/*
 * Key layout in the notifications store:
 *   inbox:<userId>       {items}: the user's notifications, newest first, at most `cap`. Stored with
 *                        a TTL that ends when its newest item expires; older items are pruned on
 *                        every write and filtered on every read. One read serves a page, the unread
 *                        count and a replay.
 *   gone:<userId>        tombstone of a deleted user (TTL 7 days): late events notify nobody
 *   username:<name>      {userId}: the mention projection (from user.registered / user.deleted)
 *   processed:<eventId>  the kit's consume-once marker, written in the same transaction as inboxes
 * An inbox changes by read-modify-write under its etag; a lost race re-reads and retries.
 */
const inboxKey = (userId: string) => `inbox:${userId}`;
const goneKey = (userId: string) => `gone:${userId}`;
const usernameKey = (name: string) => `username:${name}`;
const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;
const MAX_ATTEMPTS = 50;
const retryOnConflict = <T>(unit: () => Promise<T>) => retryUnit(unit, MAX_ATTEMPTS);

interface Inbox {
  items: Notification[];
}

export interface RetentionSettings {
  ttlSeconds: number;
  cap: number;
}

export class DaprInboxRepository implements InboxRepository {
  constructor(
    private readonly state: StateStore,
    private readonly retention: RetentionSettings,
    private readonly clock: Clock,
  ) {}

  addOnce(dedupeKey: string, batch: readonly Addressed[]): Promise<Addressed[] | 'duplicate'> {
    const userIds = [...new Set(batch.map((a) => a.userId))];
    let stored: Addressed[] = [];
    return retryOnConflict(async () => {
      const outcome = await consumeOnce(this.state, dedupeKey, async () => {
        const found = await this.state.getMany<Inbox | { at: string }>([
          ...userIds.map(inboxKey),
          ...userIds.map(goneKey),
        ]);
        stored = batch.filter((a) => !found.has(goneKey(a.userId)));
        return userIds.flatMap((userId) => {
          const incoming = stored.filter((a) => a.userId === userId).map((a) => a.notification);
          if (incoming.length === 0) return [];
          const current = found.get(inboxKey(userId)) as StateEntry<Inbox> | undefined;
          return [this.write(userId, [...incoming, ...(current?.value.items ?? [])], current)];
        });
      });
      return outcome === 'duplicate' ? 'duplicate' : stored;
    });
  }

  async inbox(userId: string): Promise<Notification[]> {
    const found = await this.state.get<Inbox>(inboxKey(userId));
    return this.live(found?.value.items ?? []);
  }

  updateInbox(
    userId: string,
    change: (items: Notification[]) => Notification[] | undefined,
  ): Promise<Notification[]> {
    return retryOnConflict(async () => {
      const current = await this.state.get<Inbox>(inboxKey(userId));
      const items = this.live(current?.value.items ?? []);
      const next = change(items);
      if (next === undefined) return items;
      await this.state.transact([this.write(userId, next, current)]);
      return next;
    });
  }

  async dropUser(userId: string): Promise<void> {
    await this.state.transact([
      { operation: 'delete', key: inboxKey(userId) },
      {
        operation: 'upsert',
        key: goneKey(userId),
        value: { at: this.clock.now().toISOString() },
        ttlInSeconds: TOMBSTONE_TTL_SECONDS,
      },
    ]);
  }

  /** Unexpired items, newest first, at most `cap`. */
  private live(items: Notification[]): Notification[] {
    const cutoff = new Date(this.clock.now().getTime() - this.retention.ttlSeconds * 1000);
    const oldest = cutoff.toISOString();
    return items
      .filter((n) => n.createdAt > oldest)
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, this.retention.cap);
  }

  /** The write of an inbox: pruned, guarded by its etag, expiring with its newest item. */
  private write(
    userId: string,
    items: Notification[],
    current: StateEntry<Inbox> | undefined,
  ): TransactionOperation {
    const kept = this.live(items);
    const guard = current ? { etag: current.etag } : { concurrency: 'first-write' as const };
    const newest = kept[0];
    if (!newest) {
      return current
        ? { operation: 'delete', key: inboxKey(userId), etag: current.etag }
        : { operation: 'delete', key: inboxKey(userId) };
    }
    const expiresAt = Date.parse(newest.createdAt) + this.retention.ttlSeconds * 1000;
    const ttlInSeconds = Math.max(1, Math.ceil((expiresAt - this.clock.now().getTime()) / 1000));
    return {
      operation: 'upsert',
      key: inboxKey(userId),
      value: { items: kept },
      ttlInSeconds,
      ...guard,
    };
  }
}

/** The mention projection: username → user id, in this service's own store. */
export class DaprUsernameDirectory implements UsernameDirectory {
  constructor(private readonly state: StateStore) {}

  async remember(username: string, userId: string): Promise<void> {
    await this.state.save(usernameKey(username), { userId });
  }

  async forget(username: string, userId: string): Promise<void> {
    const found = await this.state.get<{ userId: string }>(usernameKey(username));
    if (found?.value.userId !== userId) return; // already gone, or the name was taken again
    try {
      await this.state.delete(usernameKey(username), { etag: found.etag });
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error; // re-registered meanwhile: keep it
    }
  }

  async resolve(usernames: readonly string[]): Promise<Map<string, string>> {
    const found = await this.state.getMany<{ userId: string }>(usernames.map(usernameKey));
    const ids = new Map<string, string>();
    for (const name of usernames) {
      const entry = found.get(usernameKey(name));
      if (entry) ids.set(name, entry.value.userId);
    }
    return ids;
  }
}

/**
 * Asks the posts service who wrote a post: only for a post.created from before posts named the
 * parent's author in it. A deleted parent is none (no notification).
 */
export class DaprPostDirectory implements PostDirectory {
  constructor(private readonly posts: PostsClient) {}

  async authorOf(postId: string): Promise<string | undefined> {
    try {
      return (await this.posts.get(postId))?.authorId;
    } catch (error) {
      // An id posts refuses to read (400) names no post either.
      if (error instanceof AppError && error.status === 400) return undefined;
      throw error;
    }
  }

  async texts(postIds: readonly string[]): Promise<Map<string, string>> {
    const posts = await this.posts.batch(postIds);
    return new Map(posts.map((post) => [post.id, post.text]));
  }
}

/**
 * Publishes stored notifications on the broadcast pub/sub (every instance gets each one). Right
 * after the write, not through the outbox: the stored notification is the truth, the push is a
 * courtesy — a lost push is recovered by the list or by a reconnect with Last-Event-ID.
 */
export class BroadcastLiveChannel implements LiveChannel {
  constructor(
    private readonly dapr: Dapr,
    private readonly log: Logger,
  ) {}

  async publish(userId: string, notification: Notification): Promise<void> {
    const message: LiveMessage = { userId, notification };
    try {
      await this.dapr.publishTo(
        BROADCAST_PUBSUB,
        LIVE_NOTIFICATIONS_TOPIC,
        message,
        notification.id,
      );
    } catch (error) {
      this.log.warn({ err: error, notificationId: notification.id }, 'live push not published');
    }
  }
}
