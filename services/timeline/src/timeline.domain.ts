import type { ReaderPostView } from '@flock/posts/client';
import type { Entry, HomePosition, TimelineItem, UserPosition } from './timeline.schemas.js';

/** Home timelines keep the newest 800 entries (Twitter's and Mastodon's cap). */
export const HOME_CAP = 800;
/** On follow, the followee's newest posts merged into the follower's home timeline. */
export const BACKFILL = 20;
/** How many recent posts of each followed celebrity a home read merges. */
export const CELEBRITY_RECENT = 50;
const FANOUT_CONCURRENCY = 16;

/** The timeline's own projection of who follows a user (from follow.* events). */
export interface FollowerSet {
  ids: string[];
  /** Over the celebrity threshold: posts are merged at read time instead of pushed. */
  celebrity: boolean;
}

/** The last follow event applied to an edge: events may arrive late or out of order. */
export interface EdgeState {
  at: string;
  active: boolean;
}

/** What the domain tells the world when posts land in home timelines. */
export interface HomeHooks {
  /** now − post.createdAt (seconds), once per home timeline the post landed in. */
  observeLag?(seconds: number): void;
  /** These homes just got posts: their readers' open pages can say so (a best-effort notice). */
  announce?(userIds: readonly string[]): void;
}

/** `undefined` from a change means "leave it as it is" (no write). */
export type Change<T> = (current: T) => T | undefined;

/** The storage the domain needs; timeline.store.ts implements it over Dapr state. */
export interface TimelineRepository {
  /** The newest `limit` entries of a home timeline older than `after`, within its HOME_CAP newest. */
  home(userId: string, limit: number, after?: HomePosition): Promise<Entry[]>;
  /** Merges entries into many home timelines (by post id, newest HOME_CAP kept), in batches. */
  addToHomes(userIds: readonly string[], entries: readonly Entry[]): Promise<void>;
  /** Takes the entries `drop` matches out of many home timelines, in batches. */
  removeFromHomes(userIds: readonly string[], drop: (e: Entry) => boolean): Promise<void>;
  followers(authorId: string): Promise<FollowerSet>;
  updateFollowers(authorId: string, change: Change<FollowerSet>): Promise<FollowerSet>;
  celebrities(userId: string): Promise<string[]>;
  updateCelebrities(userId: string, change: Change<string[]>): Promise<void>;
  edge(followerId: string, followeeId: string): Promise<EdgeState | undefined>;
  updateEdge(
    followerId: string,
    followeeId: string,
    change: Change<EdgeState | undefined>,
  ): Promise<void>;
  /** Adds a post to its author's timeline unless it is there already or was deleted (a tombstone). */
  addUserPost(entry: Entry): Promise<'added' | 'exists' | 'deleted'>;
  /** Takes a post out of its author's timeline and leaves a tombstone, so a late create is ignored. */
  removeUserPost(postId: string, authorId: string): Promise<void>;
  isDeleted(postId: string): Promise<boolean>;
  /** The newest `count` posts of each user. */
  latestUserPosts(userIds: readonly string[], count: number): Promise<Entry[]>;
  userPosts(
    userId: string,
    limit: number,
    after?: UserPosition,
  ): Promise<{ items: Entry[]; next?: UserPosition }>;
  /** Removes the user's home timeline, user timeline and graph projection. */
  dropUser(userId: string): Promise<void>;
}

/** The posts service, read in one batch per page (by its client, `@flock/posts/client`). */
export interface PostReader {
  /** The live posts among `ids` as `viewerId` sees them, in that order; gone ones left out. */
  read(ids: readonly string[], viewerId?: string): Promise<ReaderPostView[]>;
}

export interface TimelineSettings {
  celebrityFollowers: number;
}

export interface Clock {
  now(): Date;
}

/** Newest first; ties broken by post id so the order is total and cursors are exact. */
export const newerFirst = (a: Entry, b: Entry) =>
  a.createdAt === b.createdAt
    ? b.postId.localeCompare(a.postId)
    : b.createdAt.localeCompare(a.createdAt);

const olderThan = (e: Entry, p: HomePosition) => newerFirst(e, toEntry(p)) > 0;
const toEntry = (p: HomePosition): Entry => ({ postId: p.id, authorId: '', createdAt: p.t });

/** Merges entries into a timeline: one entry per post, newest first, at most `cap`. */
export function mergeEntries(
  current: readonly Entry[],
  incoming: readonly Entry[],
  cap = HOME_CAP,
): Entry[] {
  const byPost = new Map(current.map((e) => [e.postId, e]));
  for (const e of incoming) byPost.set(e.postId, e);
  return [...byPost.values()].sort(newerFirst).slice(0, cap);
}

const adding =
  (id: string): Change<string[]> =>
  (ids) =>
    ids.includes(id) ? undefined : [...ids, id];
const without =
  (id: string): Change<string[]> =>
  (ids) =>
    ids.includes(id) ? ids.filter((x) => x !== id) : undefined;

/** Runs `work` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Fan-out on write. Every handler is idempotent step by step (set adds, merges by post id, an
 * edge applies only events newer than the last one applied), so a redelivery of a half-done
 * event finishes it. Races between handlers of different topics are closed by write-then-read
 * ordering: a post lands in its author's timeline before the followers are read, a follower is
 * added before the author's posts are read, and each handler re-checks after writing.
 */
export class TimelineDomain {
  constructor(
    private readonly repo: TimelineRepository,
    private readonly posts: PostReader,
    private readonly settings: TimelineSettings,
    private readonly clock: Clock,
    private readonly hooks: HomeHooks = {},
  ) {}

  async postCreated(post: Entry): Promise<void> {
    const entry = { ...post, createdAt: new Date(post.createdAt).toISOString() };
    if ((await this.repo.addUserPost(entry)) === 'deleted') return;
    const followers = await this.repo.followers(entry.authorId);
    const targets = followers.celebrity ? [entry.authorId] : [entry.authorId, ...followers.ids];
    await this.repo.addToHomes(targets, [entry]);
    const lag = (this.clock.now().getTime() - Date.parse(entry.createdAt)) / 1000;
    for (let i = 0; i < targets.length; i++) this.hooks.observeLag?.(lag); // one per home
    // Re-check: a delete or an unfollow that ran meanwhile may have missed what we just pushed.
    if (await this.repo.isDeleted(entry.postId)) return this.postDeleted(entry);
    const now = new Set((await this.repo.followers(entry.authorId)).ids);
    const gone = new Set(targets.filter((id) => id !== entry.authorId && !now.has(id)));
    await this.repo.removeFromHomes([...gone], (e) => e.postId === entry.postId);
    // The author's own page learns of the post from posting it.
    const readers = targets.filter((id) => id !== entry.authorId && !gone.has(id));
    if (readers.length > 0) this.hooks.announce?.(readers);
  }

  async postDeleted({ postId, authorId }: { postId: string; authorId: string }): Promise<void> {
    await this.repo.removeUserPost(postId, authorId);
    const followers = await this.repo.followers(authorId);
    await this.repo.removeFromHomes([authorId, ...followers.ids], (e) => e.postId === postId);
  }

  async followCreated({ followerId, followeeId, at: time }: FollowChange): Promise<void> {
    const at = new Date(time).toISOString();
    let applies = false;
    await this.repo.updateEdge(followerId, followeeId, (current) => {
      // The same event again (a redelivery) re-applies; an older one is stale.
      applies = !current || current.at < at || (current.at === at && current.active);
      return applies ? { at, active: true } : undefined;
    });
    if (!applies) return;
    const followers = await this.repo.updateFollowers(followeeId, (set) =>
      set.ids.includes(followerId) ? undefined : { ...set, ids: [...set.ids, followerId] },
    );
    if (followers.celebrity) await this.repo.updateCelebrities(followerId, adding(followeeId));
    else if (followers.ids.length > this.settings.celebrityFollowers)
      await this.promote(followeeId);
    else {
      const latest = await this.repo.latestUserPosts([followeeId], BACKFILL);
      await this.repo.addToHomes([followerId], latest);
      if (latest.length > 0) this.hooks.announce?.([followerId]);
    }
    // Re-check: an unfollow that ran meanwhile may have missed the backfill.
    if (!(await this.repo.edge(followerId, followeeId))?.active)
      await this.detach(followerId, followeeId);
  }

  async followDeleted({ followerId, followeeId, at: time }: FollowChange): Promise<void> {
    const at = new Date(time).toISOString();
    let applies = false;
    await this.repo.updateEdge(followerId, followeeId, (current) => {
      // At the same instant as a follow, the unfollow wins: it can only have come after it.
      applies = !current || current.at <= at;
      return applies ? { at, active: false } : undefined;
    });
    if (!applies) return;
    const followers = await this.repo.updateFollowers(followeeId, (set) =>
      set.ids.includes(followerId)
        ? { ...set, ids: set.ids.filter((id) => id !== followerId) }
        : undefined,
    );
    await this.detach(followerId, followeeId);
    if (followers.celebrity && followers.ids.length <= this.settings.celebrityFollowers)
      await this.demote(followeeId);
  }

  async userDeleted(userId: string): Promise<void> {
    const followers = await this.repo.followers(userId);
    await this.repo.removeFromHomes(followers.ids, (e) => e.authorId === userId);
    await this.repo.dropUser(userId);
  }

  /**
   * Home timeline: the pushed entries merged with followed celebrities' recent posts. Reads the
   * page's part of the timeline (not all of it) plus one list per followed celebrity.
   */
  async home(
    userId: string,
    limit: number,
    after?: HomePosition,
  ): Promise<{ items: Entry[]; next?: HomePosition }> {
    const [pushed, celebrities] = await Promise.all([
      this.repo.home(userId, limit + 1, after),
      this.repo.celebrities(userId),
    ]);
    const recent =
      celebrities.length === 0
        ? []
        : await this.repo.latestUserPosts(celebrities, CELEBRITY_RECENT);
    const rest = mergeEntries(
      pushed,
      recent.filter((e) => !after || olderThan(e, after)),
      Infinity,
    );
    const items = rest.slice(0, limit);
    const last = items.at(-1);
    return rest.length > limit && last
      ? { items, next: { t: last.createdAt, id: last.postId } }
      : { items };
  }

  userTimeline(userId: string, limit: number, after?: UserPosition) {
    return this.repo.userPosts(userId, limit, after);
  }

  /** A home page as its owner sees it: the entries, then their posts in one batch read. */
  async homePage(userId: string, limit: number, after?: HomePosition) {
    return this.hydrated(await this.home(userId, limit, after), userId);
  }

  /** A user timeline page as `viewerId` (or an anonymous reader) sees it. */
  async userPage(
    userId: string,
    viewerId: string | undefined,
    limit: number,
    after?: UserPosition,
  ) {
    return this.hydrated(await this.userTimeline(userId, limit, after), viewerId);
  }

  /**
   * Entries → posts. The cursor stays the last entry's, so a post deleted since it was listed
   * (left out here) moves no later page.
   */
  private async hydrated<P>(
    page: { items: Entry[]; next?: P },
    viewerId: string | undefined,
  ): Promise<{ items: TimelineItem[]; next?: P }> {
    const posts = await this.posts.read(
      page.items.map((e) => e.postId),
      viewerId,
    );
    const items = posts.map((post) => ({ ...post, postId: post.id }));
    return page.next === undefined ? { items } : { items, next: page.next };
  }

  /** The follower no longer sees the followee: their entries go, and they are no celebrity of theirs. */
  private async detach(followerId: string, followeeId: string): Promise<void> {
    await this.repo.updateCelebrities(followerId, without(followeeId));
    await this.repo.removeFromHomes([followerId], (e) => e.authorId === followeeId);
  }

  /** Crossed the threshold upwards: every follower merges the author's posts at read time from now. */
  private async promote(authorId: string): Promise<void> {
    const followers = await this.repo.updateFollowers(authorId, (set) =>
      set.celebrity ? undefined : { ...set, celebrity: true },
    );
    await forEachLimited(followers.ids, FANOUT_CONCURRENCY, (id) =>
      this.repo.updateCelebrities(id, adding(authorId)),
    );
  }

  /** Back under the threshold: posts are pushed again; followers get the newest ones now. */
  private async demote(authorId: string): Promise<void> {
    const followers = await this.repo.updateFollowers(authorId, (set) =>
      set.celebrity ? { ...set, celebrity: false } : undefined,
    );
    const latest = await this.repo.latestUserPosts([authorId], BACKFILL);
    await this.repo.addToHomes(followers.ids, latest);
    await forEachLimited(followers.ids, FANOUT_CONCURRENCY, (id) =>
      this.repo.updateCelebrities(id, without(authorId)),
    );
  }
}

export interface FollowChange {
  followerId: string;
  followeeId: string;
  at: string;
}
